package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.client.SimulatedUniverse;
import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Security;
import io.incomeplatform.ingestion.repository.BookkeepingRepository;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drives the feed: every ingestion.feed.check-every it looks at each tier (1 holdings/watchlist, 2 core,
 * 3 index members, 4 full universe) and runs what is due - quotes at the tier's interval while the exchange
 * is open, end-of-day data once a session has closed (and whatever trading days are still missing). At start
 * and daily it creates the coming months' tick partitions; at start it can seed the sample universe.
 */
@ApplicationScoped
public class TierScheduler {

    private static final Logger LOG = Logger.getLogger(TierScheduler.class);
    private static final int PARTITION_MONTHS_AHEAD = 3;

    private final FeedService feed;
    private final BookkeepingRepository bookkeeping;
    private final IngestService ingest;
    private final SimulatedUniverse universe;
    private final IngestionConfig.Feed config;
    private final Clock clock;
    private final io.quarkus.redis.datasource.ReactiveRedisDataSource redis;
    private static final String HOLDINGS_PATTERN = "income:holdings:*";
    private final Map<Integer, Instant> nextQuotes = new ConcurrentHashMap<>();
    private final Map<Integer, Instant> nextEndOfDay = new ConcurrentHashMap<>();

    public TierScheduler(FeedService feed, BookkeepingRepository bookkeeping, IngestService ingest,
                         SimulatedUniverse universe, IngestionConfig config, Clock clock,
                         io.quarkus.redis.datasource.ReactiveRedisDataSource redis) {
        this.redis = redis;
        this.feed = feed;
        this.bookkeeping = bookkeeping;
        this.ingest = ingest;
        this.universe = universe;
        this.config = config.feed();
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        ensurePartitions().await().atMost(Duration.ofSeconds(60));
        if (config.seedUniverse()) {
            seedUniverse().await().atMost(Duration.ofSeconds(60));
        }
    }

    @Scheduled(every = "12h", delayed = "12h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> maintainPartitions() {
        return ensurePartitions();
    }

    /** This month and the next ones; rows already in the default partition are moved by the function. */
    public Uni<Void> ensurePartitions() {
        LocalDate month = LocalDate.now(clock).withDayOfMonth(1);
        return bookkeeping.ensureTickPartitions(month, PARTITION_MONTHS_AHEAD + 1)
                .invoke(created -> {
                    if (created > 0) {
                        LOG.infof("Created %d monthly partitions of raw.price_ticks from %s", created, month);
                    }
                }).replaceWithVoid();
    }

    /** Adds the sample universe's securities that raw.securities does not have yet (never overwrites). */
    public Uni<Void> seedUniverse() {
        List<String> symbols = universe.members().stream().map(SimulatedUniverse.Member::symbol).toList();
        return bookkeeping.knownSymbols(symbols).chain(known -> {
            Set<String> present = new HashSet<>(known);
            List<Security> missing = universe.members().stream().map(SimulatedUniverse.Member::security)
                    .filter(s -> !present.contains(s.symbol())).toList();
            if (missing.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            LOG.infof("Seeding %d securities of the sample universe", missing.size());
            return ingest.storeSecurities("seed:universe", missing).replaceWithVoid();
        });
    }

    @Scheduled(every = "${ingestion.feed.check-every:10s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = FeedDisabled.class)
    Uni<Void> tick() {
        Instant now = clock.instant();
        return Multi.createFrom().items(1, 2, 3, 4)
                .onItem().transformToUniAndConcatenate(tier -> runDue(tier, now)
                        .onFailure().recoverWithItem(failure -> {
                            LOG.warnf("Tier %d run failed: %s", tier, failure.getMessage());
                            return null;
                        }))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> runDue(int tier, Instant now) {
        boolean quotesDue = !now.isBefore(nextQuotes.getOrDefault(tier, Instant.MIN));
        boolean endOfDayDue = !now.isBefore(nextEndOfDay.getOrDefault(tier, Instant.MIN));
        if (!quotesDue && !endOfDayDue) {
            return Uni.createFrom().voidItem();
        }
        return symbolsOf(tier).chain(symbols -> {
            Uni<FeedService.RunResult> quotes = quotesDue
                    ? feed.runQuotes(tier, symbols, now).invoke(() -> nextQuotes.put(tier, now.plus(feed.quoteInterval(tier))))
                    : Uni.createFrom().nullItem();
            // End-of-day data is checked every few minutes: cheap when nothing is missing.
            return quotes.chain(() -> endOfDayDue
                    ? feed.runEndOfDay(tier, symbols, now).invoke(() -> nextEndOfDay.put(tier, now.plus(Duration.ofMinutes(5))))
                    : Uni.createFrom().nullItem());
        }).replaceWithVoid();
    }

    /**
     * The tier's symbols from raw.securities; tier 1 (holdings and watchlists) also takes every symbol some
     * user holds ({@code income:holdings:{userId}} sets, written by the dashboard service). Without Redis,
     * the table alone.
     */
    Uni<List<String>> symbolsOf(int tier) {
        Uni<List<String>> listed = bookkeeping.symbolsOfTier(tier);
        if (tier != 1) {
            return listed;
        }
        return listed.chain(symbols -> heldSymbols()
                .map(held -> {
                    java.util.TreeSet<String> all = new java.util.TreeSet<>(symbols);
                    all.addAll(held);
                    return List.copyOf(all);
                })
                .onFailure().invoke(failure -> LOG.warnf("Tier 1 without the held symbols: Redis read failed (%s)", failure.toString()))
                .onFailure().recoverWithItem(symbols));
    }

    private Uni<Set<String>> heldSymbols() {
        return redis.key(String.class).scan(new io.quarkus.redis.datasource.keys.KeyScanArgs()
                        .match(HOLDINGS_PATTERN).count(1000))
                .toMulti().collect().asList()
                .chain(keys -> switch (keys.size()) {
                    case 0 -> Uni.createFrom().item(Set.<String>of());
                    // The client's SUNION refuses a single key, which is what one holding user leaves.
                    case 1 -> redis.set(String.class).smembers(keys.get(0));
                    default -> redis.set(String.class).sunion(keys.toArray(String[]::new));
                })
                .map(held -> {
                    Set<String> valid = new HashSet<>();
                    for (String symbol : held) {
                        String upper = symbol.toUpperCase(java.util.Locale.ROOT);
                        if (upper.matches("[A-Z0-9][A-Z0-9.\\-]{0,14}")) {
                            valid.add(upper);
                        }
                    }
                    return valid;
                });
    }

    /** The feed switch (ingestion.feed.enabled): off in tests, which drive runs themselves. */
    @ApplicationScoped
    public static class FeedDisabled implements Scheduled.SkipPredicate {
        private final boolean enabled;

        public FeedDisabled(IngestionConfig config) {
            this.enabled = config.feed().enabled();
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !enabled;
        }
    }
}
