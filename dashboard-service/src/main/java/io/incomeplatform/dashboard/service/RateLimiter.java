package io.incomeplatform.dashboard.service;

import io.incomeplatform.dashboard.config.DashboardConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Fixed-window rate limits per user and operation, counted in Redis so every replica shares them:
 * INCR income:ratelimit:{operation}:{user}:{window}, which expires with its window. If Redis fails or
 * is slow the request goes through (fail open) and dashboard_rate_limiter_failures_total counts it:
 * a cache outage must not become an API outage. The dashboard's counter is incremented by
 * DashboardCache in the same Redis call as its cache read ({@link #window} and {@link #decide}) until
 * this replica knows the window's count; from then on it counts locally and adds its calls to Redis in
 * batches ({@link #countLocally}, {@link #sync}). Every other operation is counted by {@link #check}.
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
            forEachHeader(headers::put);
            return headers;
        }

        /** The same headers, handed one by one (no map): the in-memory hit writes them straight to the response. */
        public void forEachHeader(BiConsumer<String, String> header) {
            if (!known()) {
                return;
            }
            header.accept("RateLimit-Policy", limit + ";w=" + windowSeconds);
            header.accept("RateLimit", "limit=" + limit + ", remaining=" + remaining + ", reset=" + resetSeconds);
            header.accept("RateLimit-Limit", String.valueOf(limit));
            header.accept("RateLimit-Remaining", String.valueOf(remaining));
            header.accept("RateLimit-Reset", String.valueOf(resetSeconds));
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

    /**
     * Adds each replica's dashboard calls to the window counters: KEYS the counters, ARGV their
     * increments and then the expiry in ms (set when INCRBY created the key). Returns the new totals.
     */
    static final String SYNC = """
            local totals = {}
            for i, key in ipairs(KEYS) do
              local increment = tonumber(ARGV[i])
              totals[i] = redis.call('INCRBY', key, increment)
              if totals[i] == increment then redis.call('PEXPIRE', key, ARGV[#KEYS + 1]) end
            end
            return totals""";

    /**
     * This replica's view of one dashboard window counter: the total Redis last returned, the calls
     * counted here and not sent yet, and those being sent. known + sending + pending is the window's
     * count as far as this replica knows (exactly, when it is the only one).
     */
    private static final class LocalCount {
        final Window window;
        final long windowIndex;
        long known;
        long pending;
        long sending;

        LocalCount(Window window, long windowIndex) {
            this.window = window;
            this.windowIndex = windowIndex;
        }
    }

    private final ConcurrentHashMap<String, LocalCount> localCounts = new ConcurrentHashMap<>();
    private final AtomicBoolean syncing = new AtomicBoolean();
    private final AtomicBoolean syncScheduled = new AtomicBoolean();

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    DashboardConfig config;
    @Inject
    MeterRegistry registry;
    @Inject
    Vertx vertx;

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

    /**
     * Counts a dashboard call here, without Redis, when this replica already knows the window's count
     * (it learnt it from an earlier call's INCR): the count after this call, or null when Redis must count it.
     */
    public Long countLocally(Window window) {
        LocalCount count = localCounts.get(window.key());
        if (count == null) {
            return null;
        }
        synchronized (count) {
            count.pending++;
            return count.known + count.sending + count.pending;
        }
    }

    /**
     * Counts a dashboard call here, like {@link #countLocally}, only if this replica knows the window's
     * count and the call is within the limit: the count after it, or -1 when nothing was counted (the
     * caller then takes the path that counts in Redis or answers 429).
     */
    public long countLocallyWithinLimit(Window window) {
        LocalCount count = localCounts.get(window.key());
        if (count == null) {
            return -1;
        }
        synchronized (count) {
            long after = count.known + count.sending + count.pending + 1;
            if (after > window.limit()) {
                return -1;
            }
            count.pending++;
            return after;
        }
    }

    /**
     * Redis counted this call (the cache read's INCR) and returned the window's total: from now on this
     * replica counts the window itself and adds its calls to Redis every dashboard-sync-interval. Returns
     * the count to decide on (the total, plus calls counted here and not yet in Redis).
     */
    public long counted(Window window, long total) {
        if (config.rateLimit().dashboardSyncInterval().isZero()) {
            return total;
        }
        startSyncing();
        LocalCount count = localCounts.computeIfAbsent(window.key(), k -> new LocalCount(window, windowIndex(window)));
        synchronized (count) {
            count.known = Math.max(count.known, total);
            return count.known + count.sending + count.pending;
        }
    }

    private long windowIndex(Window window) {
        return Long.parseLong(window.key().substring(window.key().lastIndexOf(':') + 1));
    }

    private void startSyncing() {
        if (syncScheduled.compareAndSet(false, true)) {
            vertx.setPeriodic(config.rateLimit().dashboardSyncInterval().toMillis(), id -> sync());
        }
    }

    /**
     * One Redis call for every window with calls counted here since the last one; windows that ended
     * and have nothing left to send are forgotten. If Redis fails, the calls stay pending (this replica
     * still limits on its own count) and dashboard_rate_limiter_failures_total counts the failure.
     */
    void sync() {
        if (!syncing.compareAndSet(false, true)) {
            return;
        }
        long windowMillis = config.rateLimit().window().toMillis();
        long currentWindow = System.currentTimeMillis() / windowMillis;
        List<LocalCount> sent = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> increments = new ArrayList<>();
        for (LocalCount count : localCounts.values()) {
            synchronized (count) {
                if (count.pending > 0) {
                    count.sending = count.pending;
                    count.pending = 0;
                    sent.add(count);
                    keys.add(count.window.key());
                    increments.add(String.valueOf(count.sending));
                } else if (count.windowIndex < currentWindow) {
                    localCounts.remove(count.window.key(), count);
                }
            }
        }
        if (sent.isEmpty()) {
            syncing.set(false);
            return;
        }
        List<String> args = new ArrayList<>(List.of(SYNC, String.valueOf(keys.size())));
        args.addAll(keys);
        args.addAll(increments);
        args.add(String.valueOf(windowMillis + 1000));
        redis.execute("EVAL", args.toArray(String[]::new))
                .ifNoItem().after(config.rateLimit().redisTimeout()).fail()
                .subscribe().with(totals -> {
                    for (int i = 0; i < sent.size(); i++) {
                        LocalCount count = sent.get(i);
                        synchronized (count) {
                            count.known = Math.max(count.known, totals.get(i).toLong());
                            count.sending = 0;
                        }
                    }
                    syncing.set(false);
                }, e -> {
                    for (LocalCount count : sent) {
                        synchronized (count) {
                            count.pending += count.sending;
                            count.sending = 0;
                        }
                    }
                    registry.counter("dashboard_rate_limiter_failures_total", "operation", Operation.DASHBOARD.label).increment();
                    LOG.debugf("Could not add this replica's dashboard calls to the rate-limit counters: %s", e.toString());
                    syncing.set(false);
                });
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
