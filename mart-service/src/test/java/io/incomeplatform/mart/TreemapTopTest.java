package io.incomeplatform.mart;

import io.incomeplatform.mart.repository.MartRepository;
import io.incomeplatform.mart.repository.StagingRepository.LoadScope;
import io.incomeplatform.mart.service.MartCatalog;
import io.incomeplatform.mart.service.RefreshService;
import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.MarketFixture;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The treemap keeps per (period, metric, industry) only the symbols ranked within the top N by current
 * value or by change (%test: mart.treemap.top = 3), ranked over every symbol of the group. Industry
 * 'TQ Fixture', as-of Monday 2026-08-31 (MarketFixture's MTBM); the 3m start is 2026-05-31, so the start
 * close is the 2026-05-29 bar's (yahoo bars, so that a polygon bar can replace one):
 * <pre>
 *        close 05-29 -> 08-31   change     rank by current   rank by change
 * TQA    10 -> 50               4          1                 1
 * TQB    40 -> 40               0          2                 3   (ties at 0 by symbol: TQB, TQC, TQF)
 * TQE     - -> 30               null       3                 6   (nulls last)
 * TQD    10 -> 20               1          4                 2
 * TQC    12 -> 12               0          5                 4   absent
 * TQF     8 ->  8               0          6                 5   absent
 * </pre>
 * Short positions: TQA 0.10 on 2026-05-15, 0.30 on 2026-06-01, 0.40 on 2026-08-14; TQB 0.20 on 2026-04-15,
 * 0.25 on 2026-08-14.
 */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class TreemapTopTest {

    static final String[] SYMBOLS = {"TQA", "TQB", "TQC", "TQD", "TQE", "TQF"};
    static final LocalDate AS_OF = LocalDate.of(2026, 8, 31);
    static final LocalDate NEW_DAY = LocalDate.of(2026, 9, 1);

    @Inject
    RefreshService refresh;

    @Inject
    MartRepository marts;

    @BeforeEach
    void fixture() {
        MarketFixture.load();
        clear();
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.securities (symbol, name, asset_type, industry, source)
                SELECT s, 'Quebec ' || s, 'stock', 'TQ Fixture', 'api' FROM unnest(?::text[]) AS s""", (Object) SYMBOLS);
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) VALUES
                ('TQA', '2026-05-29', 'yahoo', 10, 10, 10, 10, 1), ('TQA', '2026-08-31', 'yahoo', 50, 50, 50, 50, 1),
                ('TQB', '2026-05-29', 'yahoo', 40, 40, 40, 40, 1), ('TQB', '2026-08-31', 'yahoo', 40, 40, 40, 40, 1),
                ('TQC', '2026-05-29', 'yahoo', 12, 12, 12, 12, 1), ('TQC', '2026-08-31', 'yahoo', 12, 12, 12, 12, 1),
                ('TQD', '2026-05-29', 'yahoo', 10, 10, 10, 10, 1), ('TQD', '2026-08-31', 'yahoo', 20, 20, 20, 20, 1),
                ('TQE', '2026-08-31', 'yahoo', 30, 30, 30, 30, 1),
                ('TQF', '2026-05-29', 'yahoo', 8, 8, 8, 8, 1), ('TQF', '2026-08-31', 'yahoo', 8, 8, 8, 8, 1)""");
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.short_positions (symbol, date, source, short_position) VALUES
                ('TQA', '2026-05-15', 'finra', 0.10), ('TQA', '2026-06-01', 'finra', 0.30), ('TQA', '2026-08-14', 'finra', 0.40),
                ('TQB', '2026-04-15', 'finra', 0.20), ('TQB', '2026-08-14', 'finra', 0.25)""");
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200)
                .body("status", everyItem(equalTo("succeeded"))).body("asOf", everyItem(equalTo("2026-08-31")));
    }

    @AfterEach
    void restore() {
        clear();
        Db.exec(Db.PROCESSING, "DELETE FROM raw.price_bars WHERE symbol = 'MTBM' AND date = ?", NEW_DAY);
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
    }

    private static void clear() {
        for (String table : List.of("raw.price_bars", "raw.price_ticks", "raw.short_positions", "raw.securities")) {
            Db.exec(Db.PROCESSING, "DELETE FROM " + table + " WHERE symbol = ANY(?)", (Object) SYMBOLS);
        }
    }

    /** An ingestion event's refresh of the treemap: the named symbols' raw rows dated from .. to. */
    private void refreshTreemap(List<String> symbols, LocalDate from, LocalDate to, LocalDate expectedAsOf) {
        RefreshService.RunReport report = refresh.refresh("test", MartCatalog.martsFor(java.util.Optional.of("treemap")),
                new LoadScope.Targeted(symbols, from, to), null).await().atMost(Duration.ofSeconds(60));
        assertEquals(expectedAsOf, report.asOf());
        report.marts().forEach(m -> assertEquals("succeeded", m.status(), m.name()));
    }

    /** symbol -> [rank_current, rank_change] of the 3m rows of the metric in TQ Fixture, on the given side. */
    private static Map<String, List<Object>> ranks(String database, String table, String metric) {
        return Db.query(database, "SELECT symbol, rank_current, rank_change FROM " + table
                        + " WHERE period = '3m' AND metric = ? AND industry = 'TQ Fixture'", metric).stream()
                .collect(Collectors.toMap(r -> (String) r.get("symbol"), r -> List.of(r.get("rank_current"), r.get("rank_change"))));
    }

    private static void assertDecimal(String expected, Object actual, String what) {
        assertTrue(Db.same(actual, expected), what + ": expected " + expected + " but was " + actual);
    }

    private static Map<String, String> shortVersions() {
        return Db.query(Db.PROCESSING, "SELECT symbol || '/' || period AS k, xmin::text AS v FROM intermediate.period_shorts "
                        + "WHERE symbol = ANY(?)", (Object) SYMBOLS).stream()
                .collect(Collectors.toMap(r -> (String) r.get("k"), r -> (String) r.get("v")));
    }

    @Test
    void shouldKeepOnlyTheTopThreeByEitherRankRankedOverTheWholeIndustry() {
        Map<String, List<Object>> expected = Map.of("TQA", List.of(1, 1), "TQB", List.of(2, 3), "TQE", List.of(3, 6),
                "TQD", List.of(4, 2));
        assertEquals(expected, ranks(Db.PROCESSING, "mart.treemap", "price"));
        assertEquals(expected, ranks(Db.SERVING, "serving.treemap", "price"));
        Map<String, Object> tqe = Db.one(Db.SERVING, "SELECT * FROM serving.treemap WHERE period = '3m' AND metric = 'price' AND symbol = 'TQE'");
        assertDecimal("30", tqe.get("current_value"), "TQE current");
        assertEquals(null, tqe.get("change"), "TQE has no close on or before 2026-05-31");
        // No row of any group is outside the top 3 (the data test ranks_within_top counts them).
        assertEquals(0L, Db.count(Db.SERVING, "SELECT count(*) FROM serving.treemap WHERE least(rank_current, rank_change) > 3"));
    }

    @Test
    void shouldDeleteASymbolThatLeavesTheTopOnBothSidesAndAddTheOneThatEnters() {
        // polygon outranks yahoo: TQB closes at 4 on 2026-08-31, change 4 / 40 - 1 = -0.9.
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) "
                + "VALUES ('TQB', '2026-08-31', 'polygon', 4, 4, 4, 4, 1)");

        refreshTreemap(List.of("TQB"), AS_OF, AS_OF, AS_OF);

        // By current: TQA 50, TQE 30, TQD 20, TQC 12, TQF 8, TQB 4. By change: TQA 4, TQD 1, TQC 0, TQF 0
        // (tie by symbol), TQB -0.9, TQE null. TQB (6, 5) leaves; TQC (4, 3) enters.
        Map<String, List<Object>> expected = Map.of("TQA", List.of(1, 1), "TQE", List.of(2, 6), "TQD", List.of(3, 2),
                "TQC", List.of(4, 3));
        assertEquals(expected, ranks(Db.PROCESSING, "mart.treemap", "price"));
        assertEquals(expected, ranks(Db.SERVING, "serving.treemap", "price"));
        // max (from the first closes): TQA 4, TQD 1, TQC, TQE, TQF 0, TQB -0.9: TQB (6, 6) leaves too. From 6m on
        // no TQ symbol has a close on or before the start: every change is null, tied by symbol, TQB second.
        assertEquals(List.of("1y", "2y", "5y", "6m"), Db.query(Db.SERVING, "SELECT period FROM serving.treemap "
                + "WHERE symbol = 'TQB' AND metric = 'price' ORDER BY period").stream().map(r -> r.get("period")).toList());
        assertEquals(6L, Db.count(Db.SERVING, "SELECT count(*) FROM serving.treemap WHERE symbol = 'TQB' AND metric = 'short'"),
                "its short rows stay: two symbols with short positions, both in the top 3");
    }

    @Test
    void shouldCarryTheShortMetricForwardOverANewDayRewritingOnlyTheRowWhoseStartPassedAPosition() {
        Map<String, Object> before = Db.one(Db.PROCESSING,
                "SELECT * FROM intermediate.period_shorts WHERE symbol = 'TQA' AND period = '3m'");
        // 3m start 2026-05-31: 0.10 of 2026-05-15; latest 0.40.
        assertDecimal("0.10", before.get("start_position"), "TQA 3m start");
        assertDecimal("0.30", before.get("change"), "TQA 3m change");
        Map<String, String> versions = shortVersions();
        // The benchmark's bar on Tuesday moves the as-of: the 3m start to 2026-06-01, past TQA's 0.30.
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) "
                + "VALUES ('MTBM', '2026-09-01', 'polygon', 520, 520, 520, 520, 1000)");

        refreshTreemap(null, NEW_DAY, NEW_DAY, NEW_DAY);

        Map<String, Object> shortTqa = Db.one(Db.SERVING,
                "SELECT * FROM serving.treemap WHERE period = '3m' AND metric = 'short' AND symbol = 'TQA'");
        assertDecimal("0.40", shortTqa.get("current_value"), "TQA current short");
        assertDecimal("0.30", shortTqa.get("earliest_value"), "on or before 2026-06-01");
        assertDecimal("0.10", shortTqa.get("change"), "0.40 - 0.30");
        // Only TQA's 3m row was written: its other starts moved but passed no position (6m..5y start before its
        // first one, max is the first one), and TQB has no position between any old and new start.
        Map<String, String> after = shortVersions();
        assertEquals(12, after.size());
        versions.forEach((key, version) -> {
            if (key.equals("TQA/3m")) {
                assertNotEquals(version, after.get(key), key);
            } else {
                assertEquals(version, after.get(key), key);
            }
        });
    }

    @Test
    void shouldRankTheShortMetricAgainWhenAShortPositionArrives() {
        // 3m short ranks before: TQA 0.40 (start 0.10, change 0.30) over TQB 0.25 (start 0.20, change 0.05).
        assertEquals(Map.of("TQA", List.of(1, 1), "TQB", List.of(2, 2)), ranks(Db.SERVING, "serving.treemap", "short"));
        Db.exec(Db.PROCESSING, "INSERT INTO raw.short_positions (symbol, date, source, short_position) "
                + "VALUES ('TQB', '2026-08-28', 'finra', 0.50)");

        refreshTreemap(List.of("TQB"), LocalDate.of(2026, 8, 28), LocalDate.of(2026, 8, 28), AS_OF);

        // TQB 0.50 (change 0.50 - 0.20 = 0.30, tied with TQA's 0.30: by symbol, TQA first).
        assertEquals(Map.of("TQA", List.of(2, 1), "TQB", List.of(1, 2)), ranks(Db.SERVING, "serving.treemap", "short"));
        Map<String, Object> shortTqb = Db.one(Db.SERVING,
                "SELECT * FROM serving.treemap WHERE period = '3m' AND metric = 'short' AND symbol = 'TQB'");
        assertDecimal("0.50", shortTqb.get("current_value"), "TQB current short");
        assertDecimal("0.30", shortTqb.get("change"), "0.50 - 0.20");
        // The price rows are as they were.
        assertEquals(Map.of("TQA", List.of(1, 1), "TQB", List.of(2, 3), "TQE", List.of(3, 6), "TQD", List.of(4, 2)),
                ranks(Db.SERVING, "serving.treemap", "price"));
    }

    @Test
    void shouldApplyANewTopOnTheNextRunWithoutNewData() {
        // As if the previous deployment had kept a top 6: the whole industry in the mart and on the serving side.
        Db.exec(Db.PROCESSING, "UPDATE mart.settings SET treemap_top = 6");
        Db.exec(Db.PROCESSING, "INSERT INTO mart.changes (relation, symbol) VALUES ('mart.treemap', '*')");
        marts.build("mart.treemap", 2000, 10000, "64MB").await().atMost(Duration.ofSeconds(30));
        Refresh.post("/api/v1/marts/sync").then().statusCode(200);
        assertEquals(List.of(5, 4), ranks(Db.SERVING, "serving.treemap", "price").get("TQC"));
        assertEquals(List.of(6, 5), ranks(Db.SERVING, "serving.treemap", "price").get("TQF"));

        // This deployment's top 3: the run records the change and rebuilds the treemap although nothing else changed.
        Refresh.post("/api/v1/marts/refresh?mart=treemap").then().statusCode(200).body("[0].status", equalTo("succeeded"));

        assertEquals(3, Db.one(Db.PROCESSING, "SELECT treemap_top FROM mart.settings").get("treemap_top"));
        assertEquals(List.of("TQA", "TQB", "TQD", "TQE"), ranks(Db.SERVING, "serving.treemap", "price").keySet().stream().sorted().toList());
    }
}
