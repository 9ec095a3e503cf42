package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.client.SimulatedProvider;
import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static io.incomeplatform.ingestion.TestSupport.count;
import static io.incomeplatform.ingestion.TestSupport.rows;
import static io.incomeplatform.ingestion.TestSupport.uniqueSymbol;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@QuarkusTest
class FeedServiceTest {

    @Inject
    FeedService feed;

    @Inject
    SimulatedProvider simulated;

    @Inject
    Pool pool;

    private static <T> T await(io.smallrye.mutiny.Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void shouldNotFetchQuotesWhileTheExchangeIsClosed() {
        String symbol = uniqueSymbol();
        // Thanksgiving 2026 at 10:00 New York, and a Saturday
        assertNull(await(feed.runQuotes(3, List.of(symbol), Instant.parse("2026-11-26T15:00:00Z"))));
        assertNull(await(feed.runQuotes(3, List.of(symbol), Instant.parse("2026-11-21T15:00:00Z"))));
        assertEquals(0, count(pool, "SELECT count(*) FROM raw.price_ticks WHERE symbol = $1", symbol));
    }

    @Test
    void shouldRecordAQuoteRunWhileTheExchangeIsOpen() {
        String symbol = uniqueSymbol();
        FeedService.RunResult result = await(feed.runQuotes(3, List.of(symbol), Instant.parse("2026-11-24T15:00:00Z")));
        assertEquals("succeeded", result.status());
        assertEquals("simulated", result.provider());
        assertEquals(1, result.outcome().accepted());
        assertEquals(1, count(pool, "SELECT count(*) FROM raw.price_ticks WHERE symbol = $1 AND source = 'simulated'", symbol));
        Row run = rows(pool, "SELECT kind, data_type, tier, status, rows_accepted FROM raw.ingestion_runs WHERE id = $1",
                result.runId()).get(0);
        assertEquals("scheduled", run.getString("kind"));
        assertEquals("quotes", run.getString("data_type"));
        assertEquals(3, run.getInteger("tier"));
        assertEquals(1, run.getInteger("rows_accepted"));
    }

    @Test
    void shouldCatchUpTheTradingDaysMissedDuringAnOutage() {
        String symbol = uniqueSymbol();
        // This test owns tier 4's end-of-day sync state: covered through Friday 2026-10-30, then an outage.
        pool.query("DELETE FROM raw.sync_state WHERE tier = 4 AND data_type = 'bars'").execute().await().indefinitely();
        pool.query("INSERT INTO raw.sync_state (provider, tier, data_type, status, covered_through) "
                + "VALUES ('simulated', 4, 'bars', 'ok', DATE '2026-10-30')").execute().await().indefinitely();

        // Back on Tuesday 2026-11-10 at 17:00 New York (22:00 UTC), after the close + 20 minutes.
        FeedService.RunResult result = await(feed.runEndOfDay(4, List.of(symbol), Instant.parse("2026-11-10T22:00:00Z")));
        assertEquals("succeeded", result.status());
        // missing trading days: Nov 2, 3, 4, 5, 6, 9, 10 (no holiday) = 7 bars
        assertEquals(LocalDate.parse("2026-11-02"), result.from());
        assertEquals(LocalDate.parse("2026-11-10"), result.to());
        assertEquals(7, count(pool, "SELECT count(*) FROM raw.price_bars WHERE symbol = $1", symbol));
        assertEquals("catch-up", rows(pool, "SELECT kind FROM raw.ingestion_runs WHERE id = $1", result.runId())
                .get(0).getString(0));
        assertEquals(LocalDate.parse("2026-11-10"), rows(pool, "SELECT covered_through FROM raw.sync_state "
                + "WHERE provider = 'simulated' AND tier = 4 AND data_type = 'bars'").get(0).getLocalDate(0));

        // Nothing is missing any more: the next check does nothing.
        assertNull(await(feed.runEndOfDay(4, List.of(symbol), Instant.parse("2026-11-10T22:05:00Z"))));
        // The next evening only that day is fetched (a scheduled run, not a catch-up).
        FeedService.RunResult next = await(feed.runEndOfDay(4, List.of(symbol), Instant.parse("2026-11-11T22:00:00Z")));
        assertEquals(LocalDate.parse("2026-11-11"), next.from());
        assertEquals("scheduled", rows(pool, "SELECT kind FROM raw.ingestion_runs WHERE id = $1", next.runId())
                .get(0).getString(0));
        assertEquals(8, count(pool, "SELECT count(*) FROM raw.price_bars WHERE symbol = $1", symbol));
        pool.query("DELETE FROM raw.sync_state WHERE tier = 4 AND data_type = 'bars'").execute().await().indefinitely();
    }

    @Test
    void shouldSimulateTheSameMarketForTheSameSeed() {
        List<Bar> first = await(simulated.dailyBars("SPY", LocalDate.parse("2025-12-29"), LocalDate.parse("2026-01-06")));
        List<Bar> second = await(simulated.dailyBars("SPY", LocalDate.parse("2025-12-29"), LocalDate.parse("2026-01-06")));
        assertEquals(first, second);
        // trading days: Dec 29, 30, 31, Jan 2, 5, 6 (Jan 1 closed) = 6; SPY closes at its reference 600 on 2026-01-02
        assertEquals(6, first.size());
        assertEquals(new BigDecimal("600.00"), first.get(3).close());
        for (Bar bar : first) {
            assertEquals(true, bar.high().compareTo(bar.close()) >= 0 && bar.low().compareTo(bar.open()) <= 0);
        }
    }

    @Test
    void shouldPayWeeklyDividendsOnThursdaysAndMoveHolidays() {
        List<Dividend> dividends = await(simulated.dividends("XDTE", LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-30")));
        // Thursdays Nov 5, 12, 19 and Thanksgiving 26 -> Wednesday 25; paid the next trading day (26 -> 27)
        assertEquals(List.of("2026-11-05", "2026-11-12", "2026-11-19", "2026-11-25"),
                dividends.stream().map(d -> d.exDate().toString()).toList());
        assertEquals(List.of("2026-11-06", "2026-11-13", "2026-11-20", "2026-11-27"),
                dividends.stream().map(d -> d.payDate().toString()).toList());
        List<Dividend> monthly = await(simulated.dividends("O", LocalDate.parse("2025-01-01"), LocalDate.parse("2025-12-31")));
        assertEquals(12, monthly.size());
    }
}
