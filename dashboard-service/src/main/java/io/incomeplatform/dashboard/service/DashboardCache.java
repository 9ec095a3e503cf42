package io.incomeplatform.dashboard.service;

import io.incomeplatform.dashboard.config.DashboardConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.UUID;

/**
 * Assembled dashboards in Redis, per (user, scope). An entry remembers the invalidation generations
 * (one per user, one for everybody) it was built under: invalidating is an INCR, the entry itself
 * stays so it can still be served as stale while the database is slow or down. Redis errors never
 * fail a request: a read error is a miss, a write error is logged.
 */
@ApplicationScoped
public class DashboardCache {

    private static final Logger LOG = Logger.getLogger(DashboardCache.class);
    private static final String ENTRY_PREFIX = "income:dashboard:";
    private static final String GENERATION_PREFIX = "income:dashboard-generation:";
    private static final String EVERYONE = GENERATION_PREFIX + "all";

    /** The cached JSON (metadata.cacheStatus left out), its ETag and the generations it was built under. */
    public record Entry(String etag, String body, long storedAtMillis, long userGeneration, long globalGeneration) {
    }

    /** What a lookup found: the entry (or null), whether it is fresh, and the generations to store a rebuild under. */
    public record Lookup(Entry entry, boolean fresh, long userGeneration, long globalGeneration) {
        static final Lookup UNAVAILABLE = new Lookup(null, false, -1, -1);

        public boolean redisAvailable() {
            return userGeneration >= 0;
        }
    }

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    DashboardConfig config;

    private ReactiveValueCommands<String, String> values;

    @jakarta.annotation.PostConstruct
    void init() {
        values = redis.value(String.class, String.class);
    }

    public Uni<Lookup> lookup(UUID userId, String scope) {
        String userGenerationKey = GENERATION_PREFIX + userId;
        return values.mget(entryKey(userId, scope), userGenerationKey, EVERYONE)
                .ifNoItem().after(config.cache().redisTimeout()).fail()
                .map(found -> {
                    long userGeneration = parseLong(found.get(userGenerationKey));
                    long globalGeneration = parseLong(found.get(EVERYONE));
                    Entry entry = parse(found.get(entryKey(userId, scope)));
                    boolean fresh = entry != null
                            && entry.userGeneration() == userGeneration
                            && entry.globalGeneration() == globalGeneration
                            && entry.storedAtMillis() + config.cache().ttl().toMillis() > System.currentTimeMillis();
                    return new Lookup(entry, fresh, userGeneration, globalGeneration);
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("Dashboard cache unavailable, answering from the database: %s", e.toString());
                    return Lookup.UNAVAILABLE;
                });
    }

    public Uni<Void> store(UUID userId, String scope, Entry entry) {
        if (entry.userGeneration() < 0) {
            return Uni.createFrom().voidItem();
        }
        String serialized = entry.etag() + '\n' + entry.storedAtMillis() + '\n' + entry.userGeneration() + '\n'
                + entry.globalGeneration() + '\n' + entry.body();
        return values.set(entryKey(userId, scope), serialized, new SetArgs().px(config.cache().staleRetention()))
                .onFailure().invoke(e -> LOG.warnf("Could not cache the dashboard of %s: %s", userId, e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** The user's ledger or portfolio marts changed: every cached scope of that user is no longer fresh. */
    public Uni<Void> invalidateUsers(Collection<String> userIds) {
        return Uni.join().all(userIds.stream().map(id -> bump(GENERATION_PREFIX + id)).toList())
                .andCollectFailures().replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("Could not invalidate cached dashboards: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    /** Market marts changed: every cached dashboard is no longer fresh. */
    public Uni<Void> invalidateEveryone() {
        return bump(EVERYONE)
                .onFailure().invoke(e -> LOG.warnf("Could not invalidate cached dashboards: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    /**
     * INCR a generation and let it expire one TTL (plus a minute) after its last change, so idle users
     * leave no keys behind. Safe: once it expires (back to 0), every entry built under an older value is
     * older than the TTL and no longer fresh anyway.
     */
    private Uni<Void> bump(String key) {
        return values.incr(key)
                .call(() -> redis.key(String.class).pexpire(key, config.cache().ttl().plusMinutes(1)))
                .replaceWithVoid();
    }

    private static String entryKey(UUID userId, String scope) {
        return ENTRY_PREFIX + userId + ":" + scope;
    }

    /**
     * An entry is stored as four header lines (etag, stored-at millis, user and global generation) and
     * then the JSON body as is: a cache hit reads it without parsing or unescaping the body.
     */
    private static Entry parse(String serialized) {
        if (serialized == null) {
            return null;
        }
        int[] breaks = new int[4];
        int from = 0;
        for (int i = 0; i < breaks.length; i++) {
            breaks[i] = serialized.indexOf('\n', from);
            if (breaks[i] < 0) {
                LOG.warn("Ignoring an unreadable cached dashboard");
                return null;
            }
            from = breaks[i] + 1;
        }
        try {
            return new Entry(serialized.substring(0, breaks[0]),
                    serialized.substring(breaks[3] + 1),
                    Long.parseLong(serialized.substring(breaks[0] + 1, breaks[1])),
                    Long.parseLong(serialized.substring(breaks[1] + 1, breaks[2])),
                    Long.parseLong(serialized.substring(breaks[2] + 1, breaks[3])));
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring an unreadable cached dashboard");
            return null;
        }
    }

    private static long parseLong(String value) {
        return value == null ? 0 : Long.parseLong(value);
    }
}
