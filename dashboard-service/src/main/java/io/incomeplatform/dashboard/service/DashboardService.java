package io.incomeplatform.dashboard.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.dashboard.config.DashboardConfig;
import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the dashboard: a fresh cached copy (hit); else a build from one database snapshot (miss),
 * cached; and when the database fails or is slower than dashboard.cache.database-timeout, the last
 * good copy marked stale while the build goes on in the background and caches its result when it
 * completes.
 */
@ApplicationScoped
public class DashboardService {

    /** The JSON to send (cacheStatus included) and its ETag. */
    public record Result(String json, String etag, String cacheStatus) {
    }

    static final String HIT = "hit";
    static final String MISS = "miss";
    static final String STALE = "stale";
    static final int UPCOMING_DIVIDEND_DAYS = 30;
    private static final Logger LOG = Logger.getLogger(DashboardService.class);

    private final ConcurrentHashMap<String, Uni<DashboardCache.Entry>> inFlight = new ConcurrentHashMap<>();

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

    public Uni<Result> dashboard(UUID userId, UUID portfolioId) {
        String scope = portfolioId == null ? "all" : portfolioId.toString();
        return cache.lookup(userId, scope).chain(lookup -> {
            if (lookup.fresh()) {
                return Uni.createFrom().item(respond(lookup.entry(), HIT));
            }
            // One build per (user, scope) at a time: concurrent misses (several tabs, a burst after an
            // invalidation) share it instead of each taking a database snapshot.
            String key = userId + ":" + scope;
            Uni<DashboardCache.Entry> build = inFlight.computeIfAbsent(key, k -> build(userId, portfolioId, lookup)
                    .call(entry -> cache.store(userId, scope, entry))
                    .onTermination().invoke(() -> inFlight.remove(k))
                    .memoize().indefinitely());
            if (lookup.entry() == null) {
                return build.ifNoItem().after(config.cache().databaseTimeout()).failWith(this::unavailable)
                        .onFailure(e -> !(e instanceof ApiProblem)).transform(e -> {
                            LOG.warnf("Dashboard of %s could not be built and none is cached: %s", userId, e.toString());
                            return unavailable();
                        })
                        .map(entry -> respond(entry, MISS));
            }
            // Keep the build running even when this request stops waiting for it: its result refreshes the cache.
            build.subscribe().with(entry -> { }, e -> LOG.debugf("Background dashboard refresh failed: %s", e.toString()));
            DashboardCache.Entry last = lookup.entry();
            return build.ifNoItem().after(config.cache().databaseTimeout()).fail()
                    .map(entry -> respond(entry, MISS))
                    .onFailure(e -> !(e instanceof ApiProblem)).recoverWithItem(e -> {
                        LOG.warnf("Serving a stale dashboard to %s: %s", userId, e.toString());
                        return respond(last, STALE);
                    });
        });
    }

    private Uni<DashboardCache.Entry> build(UUID userId, UUID portfolioId, DashboardCache.Lookup lookup) {
        return snapshots.read(userId, portfolioId, UPCOMING_DIVIDEND_DAYS)
                .onItem().ifNull().failWith(() -> ApiProblem.notFound("Portfolio " + portfolioId))
                .map(snapshot -> {
                    Dashboard dashboard = DashboardCalculator.compute(snapshot, portfolioId, Instant.now(), config.cache().ttl().toSeconds());
                    try {
                        String body = json.writeValueAsString(dashboard);
                        // The ETag covers the cards, not the metadata (lastUpdated): an unchanged rebuild keeps it.
                        // metadata is the last member of the JSON (Dashboard's @JsonPropertyOrder).
                        String etag = "W/\"" + sha256(body.substring(0, body.lastIndexOf(",\"metadata\":"))) + "\"";
                        return new DashboardCache.Entry(etag, body, System.currentTimeMillis(), lookup.userGeneration(), lookup.globalGeneration());
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    private Result respond(DashboardCache.Entry entry, String status) {
        registry.counter("dashboard_cache_requests_total", "status", status).increment();
        // The cached JSON ends with the metadata object (cacheStatus last, left out): append it.
        String body = entry.body();
        String withStatus = body.substring(0, body.length() - 2) + ",\"cacheStatus\":\"" + status + "\"}}";
        return new Result(withStatus, entry.etag(), status);
    }

    private ApiProblem unavailable() {
        return new ApiProblem(503, "Service Unavailable", "The dashboard cannot be built right now; retry shortly.",
                java.util.Map.of(), java.util.Map.of("Retry-After", "5"));
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
