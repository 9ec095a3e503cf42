package io.incomeplatform.dashboard.service;

import io.incomeplatform.dashboard.config.DashboardConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Fixed-window rate limits per user and operation, counted in Redis so every replica shares them:
 * INCR income:ratelimit:{operation}:{user}:{window}, which expires with its window. If Redis fails or
 * is slow the request goes through (fail open) and dashboard_rate_limiter_failures_total counts it:
 * a cache outage must not become an API outage.
 */
@ApplicationScoped
public class RateLimiter {

    public enum Operation {
        DASHBOARD("dashboard"), WRITE("write"), READ("read");

        public final String label;

        Operation(String label) {
            this.label = label;
        }
    }

    /** The outcome, or UNLIMITED when the limiter could not decide (fail open). */
    public record Decision(boolean allowed, int limit, long remaining, long resetSeconds, long windowSeconds, String operation) {
        public static final Decision UNLIMITED = new Decision(true, -1, -1, 0, 0, null);

        public boolean known() {
            return limit >= 0;
        }
    }

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    DashboardConfig config;
    @Inject
    MeterRegistry registry;

    public Uni<Decision> check(String userId, Operation operation) {
        DashboardConfig.RateLimit settings = config.rateLimit();
        if (!settings.enabled()) {
            return Uni.createFrom().item(Decision.UNLIMITED);
        }
        int limit = switch (operation) {
            case DASHBOARD -> settings.dashboardPerWindow();
            case WRITE -> settings.writesPerWindow();
            case READ -> settings.readsPerWindow();
        };
        long windowMillis = settings.window().toMillis();
        long now = System.currentTimeMillis();
        long window = now / windowMillis;
        long resetSeconds = Math.max(1, ((window + 1) * windowMillis - now + 999) / 1000);
        String key = "income:ratelimit:" + operation.label + ":" + userId + ":" + window;
        return redis.value(String.class, Long.class).incr(key)
                .call(count -> count == 1 ? redis.key(String.class).pexpire(key, Duration.ofMillis(windowMillis + 1000)) : Uni.createFrom().voidItem())
                .ifNoItem().after(settings.redisTimeout()).fail()
                .map(count -> {
                    boolean allowed = count <= limit;
                    if (!allowed) {
                        registry.counter("dashboard_rate_limited_total", "operation", operation.label).increment();
                    }
                    return new Decision(allowed, limit, Math.max(0, limit - count), resetSeconds, windowMillis / 1000, operation.label);
                })
                .onFailure().recoverWithItem(e -> {
                    registry.counter("dashboard_rate_limiter_failures_total", "operation", operation.label).increment();
                    LOG.debugf("Rate limiter unavailable, letting the request through: %s", e.toString());
                    return Decision.UNLIMITED;
                });
    }
}
