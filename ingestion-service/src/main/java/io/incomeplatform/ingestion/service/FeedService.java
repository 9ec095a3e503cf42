package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Tick;
import io.incomeplatform.ingestion.repository.BookkeepingRepository;
import io.incomeplatform.ingestion.service.IngestService.Outcome;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scheduled fetching for one tier of symbols, recorded in raw.ingestion_runs and raw.sync_state:
 * quotes while the exchange is open, and end-of-day data (bars, dividends, splits) for every trading day
 * after the last one covered - which is also how a gap left by an outage (provider down, service stopped)
 * is caught up: the next run finds the missing trading days against the calendar and fetches them.
 */
// Created at start so its meters exist before the first call.
@Startup
@ApplicationScoped
public class FeedService {

    private static final Logger LOG = Logger.getLogger(FeedService.class);
    public static final String QUOTES = "quotes";
    public static final String END_OF_DAY = "bars";
    /** How far ahead announced dividends are fetched. */
    private static final int DIVIDEND_LOOKAHEAD_DAYS = 45;

    /** What one run did. */
    public record RunResult(long runId, String status, String provider, Outcome outcome, LocalDate from,
                            LocalDate to, List<String> failures) {
    }

    private final ProviderRouter router;
    private final IngestService ingest;
    private final TradingCalendar calendar;
    private final BookkeepingRepository bookkeeping;
    private final IngestionConfig.Feed feed;
    private final Map<Integer, Instant> lastQuoteSuccess = new ConcurrentHashMap<>();

    public FeedService(ProviderRouter router, IngestService ingest, TradingCalendar calendar,
                       BookkeepingRepository bookkeeping, IngestionConfig config, MeterRegistry registry) {
        this.router = router;
        this.ingest = ingest;
        this.calendar = calendar;
        this.bookkeeping = bookkeeping;
        this.feed = config.feed();
        for (int tier = 1; tier <= 4; tier++) {
            int t = tier;
            Gauge.builder("ingestion.tier.lag.seconds", () -> lagSeconds(t))
                    .description("Seconds since the tier's quotes were last fetched successfully (NaN: never)")
                    .tag("tier", Integer.toString(tier)).register(registry);
        }
    }

    public Duration quoteInterval(int tier) {
        List<Duration> intervals = feed.quoteIntervals();
        return intervals.get(Math.min(tier, intervals.size()) - 1);
    }

    private double lagSeconds(int tier) {
        Instant last = lastQuoteSuccess.get(tier);
        return last == null ? Double.NaN : Duration.between(last, Instant.now()).toMillis() / 1000.0;
    }

    // --- quotes ---------------------------------------------------------------------------------

    /** Fetches quotes for the symbols if the exchange is open at {@code now}; null when closed. */
    public Uni<RunResult> runQuotes(int tier, List<String> symbols, Instant now) {
        if (!calendar.isOpen(now) || symbols.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        Instant next = now.plus(quoteInterval(tier));
        return bookkeeping.startRun("scheduled", QUOTES, tier, symbols.size()).chain(runId ->
                router.quotes(symbols, List.of())
                        .chain(fetched -> ingest.storeTicks("provider:" + fetched.provider() + "/quotes", fetched.data())
                                .call(outcome -> {
                                    lastQuoteSuccess.put(tier, now);
                                    Long lag = fetched.data().stream().map(Tick::ts).max(Instant::compareTo)
                                            .map(ts -> Math.max(0, Duration.between(ts, now).toSeconds())).orElse(null);
                                    return bookkeeping.recordSuccess(fetched.provider(), tier, QUOTES, now,
                                            calendar.exchangeDate(now), outcome.accepted(), lag, next);
                                })
                                .chain(outcome -> finish(runId, "succeeded", fetched.provider(), outcome,
                                        String.join("; ", fetched.failures()), calendar.exchangeDate(now),
                                        calendar.exchangeDate(now), fetched.failures())))
                        .onFailure().recoverWithUni(failure -> failed(runId, tier, QUOTES, now, next, failure)));
    }

    // --- end of day and catch-up ----------------------------------------------------------------

    /**
     * Fetches bars, dividends and splits for every trading day after the tier's last covered one, up to the
     * latest session closed at least ingestion.feed.bars-delay-after-close ago; null when nothing is due.
     */
    public Uni<RunResult> runEndOfDay(int tier, List<String> symbols, Instant now) {
        LocalDate target = calendar.lastClosedTradingDay(now, feed.barsDelayAfterClose());
        return bookkeeping.coveredThrough(tier, END_OF_DAY).chain(covered -> {
            LocalDate from = covered == null
                    ? calendar.exchangeDate(now.minus(feed.initialLookback()))
                    : covered.plusDays(1);
            List<LocalDate> missing = calendar.tradingDays(from, target);
            if (missing.isEmpty() || symbols.isEmpty()) {
                return Uni.createFrom().nullItem();
            }
            LocalDate first = missing.get(0);
            // More than the one new session missing means an outage left a gap: book it as a catch-up.
            String kind = covered != null && missing.size() > 1 ? "catch-up" : "scheduled";
            return bookkeeping.startRun(kind, END_OF_DAY, tier, symbols.size())
                    .chain(runId -> fetchEndOfDay(symbols, first, target)
                            .chain(result -> {
                                String status = result.failures().isEmpty() ? "succeeded"
                                        : result.served() == 0 ? "failed" : "partial";
                                Instant next = now.plus(Duration.ofHours(1));
                                // Coverage only advances when every symbol was served, so a partial run is retried.
                                Uni<Void> state = status.equals("succeeded")
                                        ? bookkeeping.recordSuccess(result.provider(), tier, END_OF_DAY, now, target,
                                                result.outcome().accepted(),
                                                Duration.between(calendar.session(target).orElseThrow().close()
                                                        .toInstant(), now).toSeconds(), next)
                                        : bookkeeping.recordFailure(result.provider(), tier, END_OF_DAY, now,
                                                abbreviate(String.join("; ", result.failures())), now.plus(feed.quoteIntervals().get(0)));
                                return state.chain(() -> finish(runId, status, result.provider(), result.outcome(),
                                        abbreviate(String.join("; ", result.failures())), first, target,
                                        result.failures()));
                            }));
        });
    }

    /** Totals of an end-of-day fetch over many symbols. */
    record EndOfDay(String provider, Outcome outcome, int served, List<String> failures) {
    }

    /** Bars, dividends and splits of each symbol for [from, to], symbol by symbol. */
    public Uni<EndOfDay> fetchEndOfDay(List<String> symbols, LocalDate from, LocalDate to) {
        return fetchEndOfDay(symbols, from, to, List.of());
    }

    public Uni<EndOfDay> fetchEndOfDay(List<String> symbols, LocalDate from, LocalDate to, List<String> candidates) {
        List<String> failures = new ArrayList<>();
        Map<String, Integer> servedBy = new ConcurrentHashMap<>();
        return Multi.createFrom().iterable(symbols)
                .onItem().transformToUniAndConcatenate(symbol -> fetchSymbol(symbol, from, to, candidates)
                        .invoke(served -> servedBy.merge(served.provider(), 1, Integer::sum))
                        .map(SymbolResult::outcome)
                        .onFailure().recoverWithItem(failure -> {
                            failures.add(symbol + ": " + failure.getMessage());
                            return Outcome.NONE;
                        }))
                .collect().with(java.util.stream.Collectors.reducing(Outcome.NONE, Outcome::plus))
                .map(total -> new EndOfDay(servedBy.entrySet().stream().max(Map.Entry.comparingByValue())
                        .map(Map.Entry::getKey).orElse(candidates.isEmpty() ? router.order(
                                io.incomeplatform.ingestion.client.MarketDataProvider.Capability.DAILY_BARS).get(0)
                                : candidates.get(0)),
                        total, servedBy.values().stream().mapToInt(Integer::intValue).sum(), List.copyOf(failures)));
    }

    record SymbolResult(String provider, Outcome outcome) {
    }

    /** Bars decide success; dividends and splits are best effort (not every provider has them). */
    Uni<SymbolResult> fetchSymbol(String symbol, LocalDate from, LocalDate to, List<String> candidates) {
        return router.bars(symbol, from, to, candidates)
                .chain(bars -> ingest.storeBars("provider:" + bars.provider() + "/bars", bars.data())
                        .chain(barOutcome -> router.dividends(symbol, from, to.plusDays(DIVIDEND_LOOKAHEAD_DAYS), candidates)
                                .chain(d -> ingest.storeDividends("provider:" + d.provider() + "/dividends", d.data()))
                                .onFailure().recoverWithItem(failure -> {
                                    LOG.debugf("No dividends for %s: %s", symbol, failure.getMessage());
                                    return Outcome.NONE;
                                })
                                .chain(divOutcome -> router.splits(symbol, from, to, candidates)
                                        .chain(s -> ingest.storeSplits("provider:" + s.provider() + "/splits", s.data()))
                                        .onFailure().recoverWithItem(Outcome.NONE)
                                        .map(splitOutcome -> new SymbolResult(bars.provider(),
                                                barOutcome.plus(divOutcome).plus(splitOutcome))))));
    }

    // --- bookkeeping ----------------------------------------------------------------------------

    private Uni<RunResult> finish(long runId, String status, String provider, Outcome outcome, String detail,
                                  LocalDate from, LocalDate to, List<String> failures) {
        return bookkeeping.finishRun(runId, status, provider, outcome.accepted(), outcome.duplicates(),
                        outcome.rejected(), detail == null || detail.isEmpty() ? null : detail)
                .replaceWith(new RunResult(runId, status, provider, outcome, from, to, failures));
    }

    private Uni<RunResult> failed(long runId, int tier, String dataType, Instant now, Instant next, Throwable failure) {
        String provider = router.order(io.incomeplatform.ingestion.client.MarketDataProvider.Capability.QUOTES).get(0);
        String message = abbreviate(String.valueOf(failure.getMessage()));
        LOG.warnf("Run %d (%s, tier %d) failed: %s", runId, dataType, tier, message);
        return bookkeeping.recordFailure(provider, tier, dataType, now, message, next)
                .chain(() -> finish(runId, "failed", provider, Outcome.NONE, message, calendar.exchangeDate(now),
                        calendar.exchangeDate(now), List.of(message)));
    }

    private static String abbreviate(String text) {
        return text.length() > 2000 ? text.substring(0, 2000) + "..." : text;
    }
}
