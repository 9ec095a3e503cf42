package io.incomeplatform.mart;

import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.MarketFixture;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incremental marts: ticks for one symbol rebuild that symbol's rows (and its treemap industry's
 * ranks) and sync only them; a new as-of date rebuilds everything. Symbols MIA, MIB, MIC share the
 * industry 'MI Fixture Rank'; MID is alone in 'MI Fixture Other'. Closes on 2026-08-28 / 2026-08-31:
 * MIA 10 / 12, MIB 20 / 22, MIC 30 / 27, MID 5 / 6. The benchmark (MarketFixture's MTBM) keeps the
 * as-of date at 2026-08-31 while a tick dated today moves only MIA's latest close.
 */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class IncrementalMartsTest {

    static final String[] SYMBOLS = {"MIA", "MIB", "MIC", "MID"};

    @BeforeEach
    void fixture() {
        MarketFixture.load();
        Db.exec(Db.PROCESSING, "DELETE FROM raw.price_ticks WHERE symbol = ANY(?)", (Object) SYMBOLS);
        Db.exec(Db.PROCESSING, "DELETE FROM raw.price_bars WHERE symbol = ANY(?)", (Object) SYMBOLS);
        Db.exec(Db.PROCESSING, "DELETE FROM raw.securities WHERE symbol = ANY(?)", (Object) SYMBOLS);
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.securities (symbol, name, asset_type, industry, source) VALUES
                ('MIA', 'India Alpha', 'stock', 'MI Fixture Rank', 'api'), ('MIB', 'India Bravo', 'stock', 'MI Fixture Rank', 'api'),
                ('MIC', 'India Charlie', 'stock', 'MI Fixture Rank', 'api'), ('MID', 'India Delta', 'stock', 'MI Fixture Other', 'api')""");
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) VALUES
                ('MIA', '2026-08-28', 'polygon', 10, 10, 10, 10, 1), ('MIA', '2026-08-31', 'polygon', 12, 12, 12, 12, 1),
                ('MIB', '2026-08-28', 'polygon', 20, 20, 20, 20, 1), ('MIB', '2026-08-31', 'polygon', 22, 22, 22, 22, 1),
                ('MIC', '2026-08-28', 'polygon', 30, 30, 30, 30, 1), ('MIC', '2026-08-31', 'polygon', 27, 27, 27, 27, 1),
                ('MID', '2026-08-28', 'polygon', 5, 5, 5, 5, 1), ('MID', '2026-08-31', 'polygon', 6, 6, 6, 6, 1)""");
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200)
                .body("status", everyItem(equalTo("succeeded"))).body("asOf", everyItem(equalTo("2026-08-31")));
    }

    private static void tickForMia(String price) {
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_ticks (symbol, ts, price, volume, source) VALUES ('MIA', ?::timestamptz, "
                + price + ", 10, 'simulated')", Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** Row versions (xmin) by symbol: a row rewritten by a refresh or sync gets a new one. */
    private static Map<String, String> versions(String database, String table, String where) {
        return Db.query(database, "SELECT symbol || '/' || " + where + " AS k, xmin::text AS v FROM " + table
                        + " WHERE symbol = ANY(?)", (Object) SYMBOLS).stream()
                .collect(Collectors.toMap(r -> (String) r.get("k"), r -> (String) r.get("v")));
    }

    private static Map<String, Object> maxPriceTreemap(String symbol) {
        return Db.one(Db.SERVING, "SELECT * FROM serving.treemap WHERE period = 'max' AND metric = 'price' AND symbol = ?", symbol);
    }

    @Test
    void shouldRecomputeOnlyTheTickedSymbolsRowsAndSyncOnlyThem() {
        Map<String, String> martBefore = versions(Db.PROCESSING, "mart.market_latest", "'latest'");
        Map<String, String> servingBefore = versions(Db.SERVING, "serving.market_latest", "'latest'");
        tickForMia("40");

        Refresh.post("/api/v1/marts/refresh?mart=market_latest").then().statusCode(200).body("[0].status", equalTo("succeeded"));

        Map<String, Object> mia = Db.one(Db.SERVING, "SELECT * FROM serving.market_latest WHERE symbol = 'MIA'");
        assertTrue(Db.same(mia.get("price"), "40"), "price " + mia.get("price"));
        assertTrue(Db.same(mia.get("previous_close"), "12"), "previous close " + mia.get("previous_close"));
        assertTrue(Db.same(mia.get("change"), "28"), "change " + mia.get("change"));             // 40 - 12
        assertTrue(Db.same(mia.get("change_ratio"), "2.333333333333333333"), "ratio " + mia.get("change_ratio")); // 40/12 - 1
        Map<String, String> martAfter = versions(Db.PROCESSING, "mart.market_latest", "'latest'");
        Map<String, String> servingAfter = versions(Db.SERVING, "serving.market_latest", "'latest'");
        assertNotEquals(martBefore.get("MIA/latest"), martAfter.get("MIA/latest"));
        assertNotEquals(servingBefore.get("MIA/latest"), servingAfter.get("MIA/latest"));
        for (String untouched : List.of("MIB/latest", "MIC/latest", "MID/latest")) {
            assertEquals(martBefore.get(untouched), martAfter.get(untouched), untouched + " rewritten in the mart");
            assertEquals(servingBefore.get(untouched), servingAfter.get(untouched), untouched + " rewritten on the serving side");
        }
        // The sync copied MIA's rows only; the serving count still matches the mart's (verified).
        Map<String, Object> sync = Db.one(Db.PROCESSING,
                "SELECT rows, verified FROM mart.sync_runs WHERE name = 'market_latest' ORDER BY id DESC LIMIT 1");
        assertEquals(true, sync.get("verified"));
        assertEquals(Db.count(Db.PROCESSING, "SELECT count(*) FROM mart.market_latest"), ((Number) sync.get("rows")).longValue());
    }

    @Test
    void shouldVacuumTheDailyPricesARunLoadedSoThatTheirKeyReadsStayIndexOnly() throws Exception {
        // The key covers what the per-symbol reads take (processing V12).
        assertTrue(((String) Db.one(Db.PROCESSING, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'staging' "
                + "AND indexname = 'daily_prices_pkey'").get("indexdef")).endsWith("(symbol, date) INCLUDE (high, low, close)"));
        long vacuumsBefore = vacuumCount();
        tickForMia("41");

        Refresh.post("/api/v1/marts/refresh?mart=market_latest").then().statusCode(200).body("[0].status", equalTo("succeeded"));

        // Tests vacuum after any load of daily prices (mart.refresh.vacuum-after-daily-prices=1); in the background.
        await().atMost(Duration.ofSeconds(10)).until(() -> vacuumCount() > vacuumsBefore);
        try (Connection conn = Db.connect(Db.PROCESSING, Db.superuser()); Statement st = conn.createStatement()) {
            st.execute("SET enable_seqscan = off");
            st.execute("SET enable_bitmapscan = off");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (ResultSet plan = st.executeQuery("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
                        + "SELECT date, high, low, close FROM staging.daily_prices WHERE symbol = 'MIA'")) {
                    StringBuilder text = new StringBuilder();
                    while (plan.next()) {
                        text.append(plan.getString(1)).append('\n');
                    }
                    // Today's row from the tick included: its page was made all-visible by the vacuum.
                    assertTrue(text.toString().contains("Index Only Scan") && text.toString().contains("Heap Fetches: 0"), text.toString());
                }
            });
        }
    }

    private static long vacuumCount() {
        return ((Number) Db.one(Db.PROCESSING, "SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = 'staging' "
                + "AND relname = 'daily_prices'").get("vacuum_count")).longValue();
    }

    @Test
    void shouldReRankTheTickedSymbolsIndustryOnlyInTheTreemap() {
        // Before: max-period closes MIC 27 > MIB 22 > MIA 12; changes MIA 12/10-1 = 0.2 > MIB 0.1 > MIC -0.1.
        assertEquals(3, maxPriceTreemap("MIA").get("rank_current"));
        assertEquals(1, maxPriceTreemap("MIA").get("rank_change"));
        Map<String, String> before = versions(Db.SERVING, "serving.treemap", "period || metric");
        tickForMia("40");

        Refresh.post("/api/v1/marts/refresh?mart=treemap").then().statusCode(200).body("[0].status", equalTo("succeeded"));

        // After: MIA 40 > MIC 27 > MIB 22 by current value; MIA 40/10-1 = 3 > MIB 0.1 > MIC -0.1 by change.
        Map<String, Object> mia = maxPriceTreemap("MIA");
        assertTrue(Db.same(mia.get("current_value"), "40"));
        assertTrue(Db.same(mia.get("earliest_value"), "10"));
        assertTrue(Db.same(mia.get("change"), "3"));
        assertEquals(List.of(1, 1), List.of(mia.get("rank_current"), mia.get("rank_change")));
        assertEquals(List.of(3, 2), List.of(maxPriceTreemap("MIB").get("rank_current"), maxPriceTreemap("MIB").get("rank_change")));
        assertEquals(List.of(2, 3), List.of(maxPriceTreemap("MIC").get("rank_current"), maxPriceTreemap("MIC").get("rank_change")));
        assertEquals(List.of(1, 1), List.of(maxPriceTreemap("MID").get("rank_current"), maxPriceTreemap("MID").get("rank_change")));
        // MIB and MIC changed rank and were re-synced; MID (another industry) was not touched.
        Map<String, String> after = versions(Db.SERVING, "serving.treemap", "period || metric");
        assertNotEquals(before.get("MIB/maxprice"), after.get("MIB/maxprice"));
        assertNotEquals(before.get("MIC/maxprice"), after.get("MIC/maxprice"));
        assertEquals(before.get("MID/maxprice"), after.get("MID/maxprice"));
    }

    @Test
    void shouldShowServingReadersTheOldOrTheNewRowsOfAPerSymbolSync() throws Exception {
        Set<List<Object>> seen = ConcurrentHashMap.newKeySet();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (Connection c = Db.connect(Db.SERVING, "income_dashboard")) {
                while (!stop.get()) {
                    Map<String, Object> row = Db.query(c, "SELECT count(*) AS n, max(price) FILTER (WHERE symbol = 'MIA') AS mia "
                            + "FROM serving.market_latest WHERE symbol IN ('MIA', 'MIB', 'MIC', 'MID')").getFirst();
                    seen.add(List.of(row.get("n"), ((java.math.BigDecimal) row.get("mia")).stripTrailingZeros().toPlainString()));
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        });
        try (Connection snapshot = Db.connect(Db.SERVING, "income_dashboard")) {
            snapshot.setAutoCommit(false);
            snapshot.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Db.query(snapshot, "SELECT count(*) FROM serving.market_latest");
            reader.start();
            tickForMia("41");
            Refresh.post("/api/v1/marts/refresh?mart=market_latest").then().statusCode(200).body("[0].status", equalTo("succeeded"));
            // The REPEATABLE READ reader still sees MIA's old price; the polling reader saw 4 rows each time.
            assertTrue(Db.same(Db.query(snapshot, "SELECT price FROM serving.market_latest WHERE symbol = 'MIA'").getFirst().get("price"), "12"));
            snapshot.commit();
        } finally {
            stop.set(true);
            reader.join(10_000);
        }
        assertTrue(errors.isEmpty(), () -> "reader failed: " + errors);
        assertTrue(Set.of(List.of(4L, "12"), List.of(4L, "41")).containsAll(seen), () -> "reader saw " + seen);
        assertTrue(Db.same(Db.one(Db.SERVING, "SELECT price FROM serving.market_latest WHERE symbol = 'MIA'").get("price"), "41"));
    }

    @Test
    void shouldRefuseAPerSymbolSyncThatWouldCollapseAndSyncItOnceAllowed() {
        Map<String, Object> before = Db.one(Db.SERVING, "SELECT rows FROM serving.mart_status WHERE name = 'market_latest'");
        Db.exec(Db.SERVING, "UPDATE serving.mart_status SET rows = 1000000 WHERE name = 'market_latest'");
        try {
            tickForMia("42");
            Refresh.post("/api/v1/marts/refresh?mart=market_latest").then().statusCode(200)
                    .body("[0].status", equalTo("refused"))
                    .body("[0].dataTestFailures.test", hasItems("row_count_collapse"));
            assertTrue(Db.same(Db.one(Db.SERVING, "SELECT price FROM serving.market_latest WHERE symbol = 'MIA'").get("price"), "12"));
        } finally {
            Db.exec(Db.SERVING, "UPDATE serving.mart_status SET rows = ? WHERE name = 'market_latest'", before.get("rows"));
        }
        // The refused change stays pending for the sync: the next run copies it.
        Refresh.post("/api/v1/marts/refresh?mart=market_latest").then().statusCode(200).body("[0].status", equalTo("succeeded"));
        assertTrue(Db.same(Db.one(Db.SERVING, "SELECT price FROM serving.market_latest WHERE symbol = 'MIA'").get("price"), "42"));
    }

    @Test
    void shouldRebuildEveryRowWhenTheAsOfDateMoves() {
        Map<String, String> before = versions(Db.SERVING, "serving.stocks_summary", "'summary'");
        // A benchmark bar on a new trading day moves the as-of date: even MID, unchanged, gets it.
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) "
                + "VALUES ('MTBM', current_date, 'polygon', 515, 515, 515, 515, 1000)");
        try {
            Refresh.post("/api/v1/marts/refresh?mart=stocks_summary").then().statusCode(200)
                    .body("[0].status", equalTo("succeeded"));
            Map<String, Object> mid = Db.one(Db.SERVING, "SELECT as_of, price FROM serving.stocks_summary WHERE symbol = 'MID'");
            assertEquals(Db.one(Db.PROCESSING, "SELECT current_date AS d").get("d"), mid.get("as_of"));
            assertTrue(Db.same(mid.get("price"), "6"));
            Map<String, String> after = versions(Db.SERVING, "serving.stocks_summary", "'summary'");
            before.forEach((symbol, version) -> assertNotEquals(version, after.get(symbol), symbol + " not rebuilt"));
        } finally {
            Db.exec(Db.PROCESSING, "DELETE FROM raw.price_bars WHERE symbol = 'MTBM' AND date = current_date");
            Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
        }
    }
}
