package io.incomeplatform.dashboard.service;

import io.incomeplatform.dashboard.config.DashboardConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

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

    /**
     * The cached JSON as UTF-8 (metadata.cacheStatus left out), its ETag, the generations it was built
     * under, and the body as a hit sends it ({@link HitBody}, made on the first hit).
     */
    public record Entry(String etag, byte[] body, long storedAtMillis, long userGeneration, long globalGeneration, HitBody hit) {
        public Entry(String etag, byte[] body, long storedAtMillis, long userGeneration, long globalGeneration) {
            this(etag, body, storedAtMillis, userGeneration, globalGeneration, new HitBody(body));
        }
    }

    /**
     * The body with cacheStatus "hit", made once per cached copy so that hits copy no bytes, but only when
     * a hit asks for it: a copy that is only ever a miss's answer (or is replaced first) needs neither.
     * {@link #direct()} holds the same bytes outside the heap (read-only), which the socket writes without
     * Netty first copying them into a direct buffer of its own (a tenth of an in-memory hit's CPU); the GC
     * frees it with the entry. Racing first hits may each make one; either is right.
     */
    public static final class HitBody {
        private final byte[] body;
        private volatile byte[] json;
        private volatile ByteBuffer direct;

        HitBody(byte[] body) {
            this.body = body;
        }

        public byte[] json() {
            byte[] made = json;
            if (made == null) {
                made = DashboardService.withCacheStatus(body, DashboardService.HIT);
                json = made;
            }
            return made;
        }

        public ByteBuffer direct() {
            ByteBuffer made = direct;
            if (made == null) {
                byte[] bytes = json();
                made = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
                direct = made;
            }
            return made;
        }
    }

    /**
     * What a lookup found: the entry (or null), whether it is fresh, the generations to store a rebuild
     * under, the rate-limit count after this request (null when not counted or Redis failed), and whether
     * Redis holds a copy that is not fresh ({@link #staleInRedis}: not transferred, {@link #stale} reads it
     * if the build fails).
     */
    public record Lookup(Entry entry, boolean fresh, long userGeneration, long globalGeneration, Long rateLimitCount, long invalidationsSeen,
                         boolean staleInRedis) {
        static final Lookup UNAVAILABLE = new Lookup(null, false, -1, -1, null, 0, false);

        public boolean redisAvailable() {
            return userGeneration >= 0;
        }
    }

    /**
     * One Redis round trip per lookup. KEYS: entry, user generation, global generation[, rate-limit
     * counter]; ARGV: the counter's expiry in ms (or ''), the generations of this replica's fresh copy (or
     * '' when it has none), now and the TTL in ms. With a counter, INCR it (PEXPIRE on the window's first
     * call). The entry itself (~25 KB) is only read when the generations differ from the local copy's and
     * its header (the first 128 bytes: etag, stored-at, generations, see {@link #store}) says it is fresh:
     * a miss does not transfer the copy it will replace. Returns {count, entry, user generation, global
     * generation, 1 if a copy that is not fresh exists else 0}; nil (Lua false) for what is absent.
     */
    static final String READ = """
            local count = false
            if KEYS[4] then
              count = redis.call('INCR', KEYS[4])
              if count == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[1]) end
            end
            local generations = redis.call('MGET', KEYS[2], KEYS[3])
            local user, global = generations[1] or '0', generations[2] or '0'
            local entry, stale = false, 0
            if user ~= ARGV[2] or global ~= ARGV[3] then
              local head = redis.call('GETRANGE', KEYS[1], 0, 127)
              if head ~= '' then
                local storedAt, u, g = string.match(head, '^[^\\n]*\\n(%d+)\\n(%d+)\\n(%d+)\\n')
                if u == user and g == global and tonumber(storedAt) + tonumber(ARGV[5]) > tonumber(ARGV[4]) then
                  entry = redis.call('GET', KEYS[1])
                else
                  stale = 1
                end
              end
            end
            return {count, entry, generations[1], generations[2], stale}""";

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    DashboardConfig config;

    private ReactiveValueCommands<String, byte[]> values;
    /**
     * Fresh entries this replica built or read, least recently used dropped first: while the events
     * are subscribed a hit sends one without Redis, else while the generations in Redis still match it.
     */
    private Map<String, Entry> local;
    /**
     * How many invalidations this replica has applied to {@link #local}: a copy whose lookup started
     * before the latest one is not kept (it may have been built from data that invalidation replaced).
     */
    private final AtomicLong invalidations = new AtomicLong();
    /** True while the invalidation events are subscribed: only then may a hit skip Redis. */
    private volatile boolean eventsLive;

    @jakarta.annotation.PostConstruct
    void init() {
        // Bytes, not String: a hit sends the stored UTF-8 as is, without decoding and re-encoding 25 KB.
        values = redis.value(String.class, byte[].class);
        local = LruMap.withCapacity(config.cache().localEntries());
    }

    /**
     * This replica's fresh copy, without Redis, when the request is not counted in Redis and the
     * invalidation events are subscribed (they drop the copy). Else reads the generations, and the cached
     * entry unless this replica's fresh copy was built under the same ones; with a rate-limit window,
     * also counts the request: one Lua call. A Redis error or a
     * read slower than dashboard.cache.redis-timeout is {@link Lookup#UNAVAILABLE}: a miss (the local
     * copy is not served: an invalidation cannot be seen), and an uncounted request.
     */
    public Uni<Lookup> lookup(UUID userId, String scope, RateLimiter.Window rateLimit) {
        String entryKey = entryKey(userId, scope);
        long invalidationsSeen = invalidations.get();
        Entry known = local.get(entryKey);
        Entry copy = known != null && isYoung(known) ? known : null;
        if (copy != null && rateLimit == null && servesLocalHits()) {
            return Uni.createFrom().item(new Lookup(copy, true, copy.userGeneration(), copy.globalGeneration(), null, invalidationsSeen, false));
        }
        List<String> args = new ArrayList<>(List.of(READ, rateLimit == null ? "3" : "4", entryKey, GENERATION_PREFIX + userId, EVERYONE));
        if (rateLimit != null) {
            args.add(rateLimit.key());
        }
        args.add(rateLimit == null ? "" : String.valueOf(rateLimit.expiry().toMillis()));
        args.add(copy == null ? "" : String.valueOf(copy.userGeneration()));
        args.add(copy == null ? "" : String.valueOf(copy.globalGeneration()));
        args.add(String.valueOf(System.currentTimeMillis()));
        args.add(String.valueOf(config.cache().ttl().toMillis()));
        return redis.execute("EVAL", args.toArray(String[]::new))
                .map(reply -> {
                    Long count = reply.get(0) == null ? null : reply.get(0).toLong();
                    long userGeneration = parseLong(bytes(reply.get(2)));
                    long globalGeneration = parseLong(bytes(reply.get(3)));
                    if (copy != null && copy.userGeneration() == userGeneration && copy.globalGeneration() == globalGeneration) {
                        return new Lookup(copy, true, userGeneration, globalGeneration, count, invalidationsSeen, false);
                    }
                    Entry entry = parse(bytes(reply.get(1)));
                    boolean fresh = entry != null && entry.userGeneration() == userGeneration
                            && entry.globalGeneration() == globalGeneration && isYoung(entry);
                    if (fresh) {
                        keepLocally(entryKey, entry, invalidationsSeen);
                    } else if (known != null) {
                        local.remove(entryKey, known);
                    }
                    return new Lookup(entry, fresh, userGeneration, globalGeneration, count, invalidationsSeen,
                            reply.get(4) != null && reply.get(4).toLong() == 1);
                })
                .ifNoItem().after(config.cache().redisTimeout()).fail()
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("Dashboard cache unavailable, answering from the database: %s", e.toString());
                    return Lookup.UNAVAILABLE;
                });
    }

    /**
     * The copy in Redis whatever its age (the lookup found it not fresh and left it there), to serve as stale;
     * null when there is none or Redis fails.
     */
    public Uni<Entry> stale(UUID userId, String scope) {
        return values.get(entryKey(userId, scope))
                .map(DashboardCache::parse)
                .ifNoItem().after(config.cache().redisTimeout()).fail()
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("Could not read the stale dashboard of %s: %s", userId, e.toString());
                    return null;
                });
    }

    /**
     * This replica's fresh copy when it may be served without asking Redis (the invalidation events are
     * subscribed, so they would have dropped it); else null.
     */
    public Entry freshInMemory(UUID userId, String scope) {
        if (!servesLocalHits()) {
            return null;
        }
        Entry copy = local.get(entryKey(userId, scope));
        return copy != null && isYoung(copy) ? copy : null;
    }

    private boolean servesLocalHits() {
        return eventsLive && config.cache().localHitsFromEvents();
    }

    private boolean isYoung(Entry entry) {
        return entry.storedAtMillis() + config.cache().ttl().toMillis() > System.currentTimeMillis();
    }

    private static byte[] bytes(io.vertx.mutiny.redis.client.Response value) {
        return value == null ? null : value.toBytes();
    }

    /**
     * Put first, then check: an invalidation counts before it drops copies, so either it drops this one
     * or this sees its count and takes the copy back out.
     */
    private void keepLocally(String entryKey, Entry entry, long invalidationsSeen) {
        local.put(entryKey, entry);
        if (invalidations.get() != invalidationsSeen) {
            local.remove(entryKey, entry);
        }
    }

    /** The invalidation events are subscribed (again): copies kept while they were not may have missed one. */
    public void eventsSubscribed() {
        invalidations.incrementAndGet();
        local.clear();
        eventsLive = true;
    }

    /** The subscription ended: until it is back, every hit checks the generations in Redis. */
    public void eventsLost() {
        eventsLive = false;
    }

    /** Stores the entry built after {@code lookup}; this replica keeps it unless an invalidation came in between. */
    public Uni<Void> store(UUID userId, String scope, Entry entry, Lookup lookup) {
        if (entry.userGeneration() < 0) {
            return Uni.createFrom().voidItem();
        }
        byte[] header = (entry.etag() + '\n' + entry.storedAtMillis() + '\n' + entry.userGeneration() + '\n'
                + entry.globalGeneration() + '\n').getBytes(StandardCharsets.UTF_8);
        byte[] serialized = Arrays.copyOf(header, header.length + entry.body().length);
        System.arraycopy(entry.body(), 0, serialized, header.length, entry.body().length);
        // SET through the client's own request: it takes the bytes as they are, where the value commands
        // copied the 25 KB twice more (into a Buffer, and out of it) before encoding them.
        Request set = Request.cmd(Command.SET).arg(entryKey(userId, scope)).arg(serialized)
                .arg("PX").arg(config.cache().staleRetention().toMillis());
        return redis.getRedis().send(set)
                .invoke(() -> keepLocally(entryKey(userId, scope), entry, lookup.invalidationsSeen()))
                .onFailure().invoke(e -> LOG.warnf("Could not cache the dashboard of %s: %s", userId, e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * The user's ledger or portfolio marts changed: every cached scope of that user is no longer fresh.
     * This replica's copies are dropped at once (before the returned Uni is subscribed), the generation in
     * Redis tells the replicas that compare it, and the copies are dropped again once the bump is done:
     * a lookup that read the old generation in between may have kept its copy (its count check cannot
     * tell, it started after the first drop).
     */
    public Uni<Void> invalidateUsers(Collection<String> userIds) {
        Set<String> users = userIds.stream().map(DashboardCache::canonical).collect(Collectors.toSet());
        dropLocal(users);
        return Uni.join().all(userIds.stream().map(id -> bump(GENERATION_PREFIX + id)).toList())
                .andCollectFailures().replaceWithVoid()
                .eventually(() -> dropLocal(users))
                .onFailure().invoke(e -> LOG.warnf("Could not invalidate cached dashboards: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    /** Market marts changed: every cached dashboard is no longer fresh (this replica's copies: as for a user). */
    public Uni<Void> invalidateEveryone() {
        dropLocal(null);
        return bump(EVERYONE)
                .eventually(() -> dropLocal(null))
                .onFailure().invoke(e -> LOG.warnf("Could not invalidate cached dashboards: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    /** Counts an invalidation, then drops the copies of these users (null: of everybody). */
    private void dropLocal(Set<String> users) {
        invalidations.incrementAndGet();
        if (users == null) {
            local.clear();
            return;
        }
        synchronized (local) {
            local.keySet().removeIf(key -> users.contains(key.substring(ENTRY_PREFIX.length(), key.lastIndexOf(':'))));
        }
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

    /** An event's user id as the entry keys spell it (UUID.toString: lower case), so that its copies are found. */
    private static String canonical(String userId) {
        try {
            return UUID.fromString(userId).toString();
        } catch (IllegalArgumentException e) {
            return userId;
        }
    }

    private static String entryKey(UUID userId, String scope) {
        return ENTRY_PREFIX + userId + ":" + scope;
    }

    /**
     * An entry is stored as four header lines (etag, stored-at millis, user and global generation) and
     * then the JSON body as is: a cache hit reads it without parsing or unescaping the body.
     */
    private static Entry parse(byte[] serialized) {
        if (serialized == null) {
            return null;
        }
        int[] breaks = new int[4];
        int from = 0;
        for (int i = 0; i < breaks.length; i++) {
            breaks[i] = indexOf(serialized, (byte) '\n', from);
            if (breaks[i] < 0) {
                LOG.warn("Ignoring an unreadable cached dashboard");
                return null;
            }
            from = breaks[i] + 1;
        }
        try {
            return new Entry(new String(serialized, 0, breaks[0], StandardCharsets.UTF_8),
                    Arrays.copyOfRange(serialized, breaks[3] + 1, serialized.length),
                    parseLong(serialized, breaks[0] + 1, breaks[1]),
                    parseLong(serialized, breaks[1] + 1, breaks[2]),
                    parseLong(serialized, breaks[2] + 1, breaks[3]));
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring an unreadable cached dashboard");
            return null;
        }
    }

    private static int indexOf(byte[] bytes, byte value, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static long parseLong(byte[] value) {
        return value == null ? 0 : parseLong(value, 0, value.length);
    }

    private static long parseLong(byte[] text, int from, int to) {
        return Long.parseLong(new String(text, from, to - from, StandardCharsets.US_ASCII));
    }
}
