package io.incomeplatform.realtime.health;

import io.incomeplatform.realtime.messaging.RedisEventSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Without the Redis channel subscription this replica would hold connections but deliver nothing,
 * so it is not ready (the Redis client's own check covers commands: holdings and latest prices).
 */
@Readiness
@ApplicationScoped
public class TickFeedHealthCheck implements HealthCheck {

    private final RedisEventSubscriber subscriber;

    public TickFeedHealthCheck(RedisEventSubscriber subscriber) {
        this.subscriber = subscriber;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("redis-tick-feed").status(subscriber.isSubscribed()).build();
    }
}
