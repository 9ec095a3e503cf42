package io.incomeplatform.ingestion.health;

import io.incomeplatform.ingestion.messaging.RedisPublisher;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Redis carries only publications: without it ticks are still validated and stored, so the service stays
 * ready (Postgres, checked by the datasource health check, is what it cannot work without) and this check
 * says what is degraded.
 */
@Readiness
@ApplicationScoped
public class RedisPublishingReadiness implements AsyncHealthCheck {

    private final ReactiveRedisDataSource redis;
    private final RedisPublisher publisher;

    public RedisPublishingReadiness(ReactiveRedisDataSource redis, RedisPublisher publisher) {
        this.redis = redis;
        this.publisher = publisher;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return redis.execute("PING")
                .ifNoItem().after(Duration.ofSeconds(2)).fail()
                .map(pong -> {
                    var response = HealthCheckResponse.named("redis-publishing").up().withData("publishing", "ok");
                    RedisPublisher.Failure failure = publisher.lastFailure();
                    if (failure != null) {
                        response.withData("lastFailure", failure.at().toString());
                    }
                    return response.build();
                })
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("redis-publishing").up()
                        .withData("publishing", "degraded")
                        .withData("detail", "Redis unreachable: ticks are stored but not published")
                        .build());
    }
}
