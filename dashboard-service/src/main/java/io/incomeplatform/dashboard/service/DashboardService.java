package io.incomeplatform.dashboard.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.dashboard.config.DashboardConfig;
import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Serves the dashboard: a fresh cached copy (hit); else a build from one database snapshot (miss),
 * cached; and when the database fails or is slower than dashboard.cache.database-timeout, the last
 * good copy marked stale while the build goes on in the background and caches its result when it
 * completes.
 */
@ApplicationScoped
public class DashboardService {

    /**
     * The JSON to send as UTF-8, cacheStatus included: the first bodyLength bytes of body, then tail (a miss
     * or stale answer sends the cached body with its own ending, without copying 25 KB to change 10 bytes);
     * its ETag, and the rate-limit decision for the headers.
     */
    public record Result(byte[] body, int bodyLength, byte[] tail, String etag, String cacheStatus, RateLimiter.Decision rateLimit) {

        /** The JSON in one array. */
        public byte[] json() {
            byte[] json = Arrays.copyOf(body, bodyLength + tail.length);
            System.arraycopy(tail, 0, json, bodyLength, tail.length);
            return json;
        }
    }

    static final String HIT = "hit";
    static final String MISS = "miss";
    static final String STALE = "stale";
    static final int UPCOMING_DIVIDEND_DAYS = 30;
    private static final byte[] METADATA_MEMBER = ",\"metadata\":".getBytes(StandardCharsets.UTF_8);
    private static final Logger LOG = Logger.getLogger(DashboardService.class);

    private SharedBuilds<String, DashboardCache.Entry> builds;

    @Inject
    DashboardSnapshotRepository snapshots;
    @Inject
    DashboardCache cache;
    @Inject
    DashboardConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    MeterRegistry registry;
    @Inject
    RateLimiter limiter;

    private DashboardJson writer;

    @jakarta.annotation.PostConstruct
    void init() {
        writer = new DashboardJson(json.getFactory());
        builds = new SharedBuilds<>(config.cache().buildTimeout());
    }

    /** The hit/miss/stale counters and the bytes that close the JSON with each status, made once. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private static final Map<String, byte[]> STATUS_SUFFIX = Map.of(HIT, suffix(HIT), MISS, suffix(MISS), STALE, suffix(STALE));
    private static final byte[] NO_TAIL = new byte[0];

    /**
     * The dashboard, counted against the caller's "dashboard" rate limit: by this replica when it knows
     * the window's count, else in the same Redis call as the cache read. Past the limit the Uni fails
     * with the 429 problem, and any problem it fails with carries the rate-limit headers.
     */
    public Uni<Result> dashboard(UUID userId, UUID portfolioId) {
        String scope = portfolioId == null ? "all" : portfolioId.toString();
        RateLimiter.Window window = limiter.window(userId.toString(), RateLimiter.Operation.DASHBOARD);
        Long localCount = window == null ? null : limiter.countLocally(window);
        RateLimiter.Window countInRedis = localCount == null ? window : null;
        return cache.lookup(userId, scope, countInRedis).chain(lookup -> {
            RateLimiter.Decision decision = window == null ? RateLimiter.Decision.UNLIMITED
                    : localCount != null ? limiter.decide(window, localCount)
                    : lookup.rateLimitCount() == null ? limiter.failed(window, "the cache read failed")
                    : limiter.decide(window, limiter.counted(window, lookup.rateLimitCount()));
            if (!decision.allowed()) {
                return Uni.createFrom().failure(decision.tooManyRequests());
            }
            return dashboard(userId, portfolioId, scope, lookup, decision)
                    .onFailure(ApiProblem.class).transform(e -> ((ApiProblem) e).withHeaders(decision.headers()));
        });
    }

    private Uni<Result> dashboard(UUID userId, UUID portfolioId, String scope, DashboardCache.Lookup lookup, RateLimiter.Decision decision) {
        if (lookup.fresh()) {
            return Uni.createFrom().item(respond(lookup.entry(), HIT, decision));
        }
        // One build per (user, scope) at a time: concurrent misses (several tabs, a burst after an
        // invalidation) share it instead of each taking a database snapshot.
        // The build runs to its end even when this request stops waiting for it: its result refreshes the cache.
        Uni<DashboardCache.Entry> build = builds.join(userId + ":" + scope, () -> build(userId, portfolioId, lookup)
                .call(entry -> cache.store(userId, scope, entry, lookup))
                .onFailure().invoke(e -> LOG.debugf("Dashboard build of %s failed: %s", userId, e.toString())));
        if (lookup.entry() == null && !lookup.staleInRedis()) {
            return build.ifNoItem().after(config.cache().databaseTimeout()).failWith(this::unavailable)
                    .onFailure(e -> !(e instanceof ApiProblem)).transform(e -> {
                        LOG.warnf("Dashboard of %s could not be built and none is cached: %s", userId, e.toString());
                        return unavailable();
                    })
                    .map(entry -> respond(entry, MISS, decision));
        }
        // The copy that is not fresh: in hand, or left in Redis by the lookup and read only if it is needed.
        Uni<DashboardCache.Entry> last = lookup.entry() != null ? Uni.createFrom().item(lookup.entry()) : cache.stale(userId, scope);
        return build.ifNoItem().after(config.cache().databaseTimeout()).fail()
                .map(entry -> respond(entry, MISS, decision))
                .onFailure(e -> !(e instanceof ApiProblem)).recoverWithUni(e -> last.map(stale -> {
                    if (stale == null) {
                        LOG.warnf("Dashboard of %s could not be built and none is cached: %s", userId, e.toString());
                        throw unavailable();
                    }
                    LOG.warnf("Serving a stale dashboard to %s: %s", userId, e.toString());
                    return respond(stale, STALE, decision);
                }));
    }

    private Uni<DashboardCache.Entry> build(UUID userId, UUID portfolioId, DashboardCache.Lookup lookup) {
        return snapshots.read(userId, portfolioId, UPCOMING_DIVIDEND_DAYS)
                .onItem().ifNull().failWith(() -> ApiProblem.notFound("Portfolio " + portfolioId))
                .map(snapshot -> {
                    Dashboard dashboard = DashboardCalculator.compute(snapshot, portfolioId, Instant.now(), config.cache().ttl().toSeconds());
                    // UTF-8 bytes straight from the generator: no 25 KB String to build and encode again.
                    byte[] body = writer.write(dashboard);
                    // The ETag covers the cards, not the metadata (lastUpdated): an unchanged rebuild keeps it.
                    // metadata is the last member of the JSON (Dashboard's @JsonPropertyOrder).
                    String etag = "W/\"" + fingerprint(body, lastIndexOf(body, METADATA_MEMBER)) + "\"";
                    return new DashboardCache.Entry(etag, body, System.currentTimeMillis(), lookup.userGeneration(), lookup.globalGeneration());
                });
    }

    private Result respond(DashboardCache.Entry entry, String status, RateLimiter.Decision decision) {
        counters.computeIfAbsent(status, s -> registry.counter("dashboard_cache_requests_total", "status", s)).increment();
        if (HIT.equals(status)) {
            byte[] json = entry.hit().json();
            return new Result(json, json.length, NO_TAIL, entry.etag(), status, decision);
        }
        byte[] body = entry.body();
        return new Result(body, body.length - 2, STATUS_SUFFIX.get(status), entry.etag(), status, decision);
    }

    /** The cached JSON ends with the metadata object (cacheStatus last, left out): replaces its closing "}}". */
    static byte[] withCacheStatus(byte[] body, String status) {
        byte[] suffix = STATUS_SUFFIX.get(status);
        byte[] withStatus = Arrays.copyOf(body, body.length - 2 + suffix.length);
        System.arraycopy(suffix, 0, withStatus, body.length - 2, suffix.length);
        return withStatus;
    }

    private static byte[] suffix(String status) {
        return (",\"cacheStatus\":\"" + status + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private ApiProblem unavailable() {
        return new ApiProblem(503, "Service Unavailable", "The dashboard cannot be built right now; retry shortly.",
                java.util.Map.of(), java.util.Map.of("Retry-After", "5"));
    }

    /**
     * 16 hex digits: the CRC-32C and the CRC-32 of bytes[0, length). A weak ETag only has to change when one
     * user's cards change, not resist forgery (a user could only fool their own browser), and two CRCs of
     * different polynomials act as one 64-bit CRC: two different dashboards share it with a chance of about
     * 2^-64. Both run on CPU instructions, about 1 us for a 25 KB dashboard where SHA-256 took 13 us.
     */
    static String fingerprint(byte[] bytes, int length) {
        CRC32C castagnoli = new CRC32C();
        castagnoli.update(bytes, 0, length);
        CRC32 ieee = new CRC32();
        ieee.update(bytes, 0, length);
        return HexFormat.of().toHexDigits((int) castagnoli.getValue()) + HexFormat.of().toHexDigits((int) ieee.getValue());
    }

    /** Where the last occurrence of pattern starts in bytes. */
    static int lastIndexOf(byte[] bytes, byte[] pattern) {
        outer:
        for (int i = bytes.length - pattern.length; i >= 0; i--) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("The dashboard JSON has no metadata member");
    }
}
