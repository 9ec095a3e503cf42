package io.incomeplatform.dashboard.service;

import io.incomeplatform.dashboard.config.DashboardConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixed-window rate limits per user and operation, counted in Redis so every replica shares them:
 * INCR income:ratelimit:{operation}:{user}:{window}, which expires with its window. If Redis fails or
 * is slow the request goes through (fail open) and dashboard_rate_limiter_failures_total counts it:
 * a cache outage must not become an API outage. The dashboard's counter is incremented by
 * DashboardCache in the same Redis call as its cache read ({@link #window} and {@link #decide}); every
 * other operation is counted by {@link #check}.
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

    /** The outcome, or UNLIMITED when the limiter could not decide (fail open) or is off. */
    public record Decision(boolean allowed, int limit, long remaining, long resetSeconds, long windowSeconds, String operation) {
        public static final Decision UNLIMITED = new Decision(true, -1, -1, 0, 0, null);

        public boolean known() {
            return limit >= 0;
        }

        /** The IETF draft headers (RateLimit-Policy, RateLimit) plus the RateLimit-Limit/-Remaining/-Reset form many clients read. */
        public Map<String, String> headers() {
            if (!known()) {
                return Map.of();
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("RateLimit-Policy", limit + ";w=" + windowSeconds);
            headers.put("RateLimit", "limit=" + limit + ", remaining=" + remaining + ", reset=" + resetSeconds);
            headers.put("RateLimit-Limit", String.valueOf(limit));
            headers.put("RateLimit-Remaining", String.valueOf(remaining));
            headers.put("RateLimit-Reset", String.valueOf(resetSeconds));
            return headers;
        }

        /** The 429 problem for a request past the limit, with the headers and Retry-After. */
        public ApiProblem tooManyRequests() {
            Map<String, String> headers = new LinkedHashMap<>(headers());
            headers.put("Retry-After", String.valueOf(resetSeconds));
            return new ApiProblem(429, "Too Many Requests", "Rate limit of " + limit + " " + operation
                    + " requests per " + windowSeconds + " s reached; retry in " + resetSeconds + " s.", Map.of(), headers);
        }
    }

    /** The counter one request increments: its Redis key (it expires after {@code expiry}) and the limit it is held to. */
    public record Window(Operation operation, String key, int limit, long windowMillis, long resetSeconds, Duration expiry) {
    }

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    DashboardConfig config;
    @Inject
    MeterRegistry registry;

    /** The current window's counter for this user and operation; null when rate limits are off. */
    public Window window(String userId, Operation operation) {
        DashboardConfig.RateLimit settings = config.rateLimit();
        if (!settings.enabled()) {
            return null;
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
        return new Window(operation, "income:ratelimit:" + operation.label + ":" + userId + ":" + window, limit, windowMillis,
                resetSeconds, Duration.ofMillis(windowMillis + 1000));
    }

    /** Counts the request (INCR, and the expiry on the window's first call) and decides. */
    public Uni<Decision> check(String userId, Operation operation) {
        Window window = window(userId, operation);
        if (window == null) {
            return Uni.createFrom().item(Decision.UNLIMITED);
        }
        return redis.value(String.class, Long.class).incr(window.key())
                .call(count -> count == 1 ? redis.key(String.class).pexpire(window.key(), window.expiry()) : Uni.createFrom().voidItem())
                .ifNoItem().after(config.rateLimit().redisTimeout()).fail()
                .map(count -> decide(window, count))
                .onFailure().recoverWithItem(e -> failed(window, e.toString()));
    }

    /** The decision for the window's count after this request's INCR. */
    public Decision decide(Window window, long count) {
        boolean allowed = count <= window.limit();
        if (!allowed) {
            registry.counter("dashboard_rate_limited_total", "operation", window.operation().label).increment();
        }
        return new Decision(allowed, window.limit(), Math.max(0, window.limit() - count), window.resetSeconds(),
                window.windowMillis() / 1000, window.operation().label);
    }

    /** Redis could not count the request: let it through, counted. */
    public Decision failed(Window window, String reason) {
        registry.counter("dashboard_rate_limiter_failures_total", "operation", window.operation().label).increment();
        LOG.debugf("Rate limiter unavailable, letting the request through: %s", reason);
        return Decision.UNLIMITED;
    }
}
