package io.incomeplatform.mart;

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

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new trading day moves the as-of date from Monday 2026-08-31 to Tuesday 2026-09-01 (MarketFixture's
 * benchmark MTBM gets a bar): the 52-week window goes from (2025-08-31, 2026-08-31] to (2025-09-01,
 * 2026-09-01], so every bar of 2025-09-01 leaves it; the 1y start moves from 2025-08-31 to 2025-09-01,
 * the 3m start from 2026-05-31 to 2026-06-01. The builds carry price_stats, period_returns and the
 * treemap forward instead of rebuilding them; the values must be those calculations.md defines.
 * Symbols (industry 'NA Fixture'), bars as (open, high, low, close):
 * <ul>
 * <li>NAA: 2025-09-01 (10, 50, 5, 10), 2025-09-02 (25, 30, 20, 25), 2026-08-31 (24, 25, 22, 24); the new
 * day (25, 26, 23, 25). Both extremes of the old window are on 2025-09-01, which leaves it.</li>
 * <li>NAB: 2025-08-29 (11, 12, 10, 11), 2025-09-01 (13, 15, 12, 13), 2026-03-02 from yahoo (30, 40, 10, 30),
 * 2026-08-31 (19, 20, 18, 19); the new day (32, 33, 16, 32). Its extremes (2026-03-02) stay inside.</li>
 * <li>NAC: 2025-09-01 (2, 9, 1, 2), 2026-08-31 (7.5, 8, 7, 7.5); no bar on the new day.</li>
 * <li>NAD: 2026-01-05 (10, 14, 9, 12), 2026-08-31 (12, 13, 11, 12); the new day (12, 12.5, 11.5, 12.2):
 * nothing leaves the window, the new bar sets no extreme.</li>
 * </ul>
 * Short positions: NAA 0.3 on 2026-05-15; NAB 0.10 on 2025-09-01, 0.20 on 2026-08-14. Dividends of NAA
 * (regular): 0.5 ex 2025-09-01 paid 2025-09-15, 0.2 ex 2026-08-20 paid 2026-09-01.
 */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class AsOfMoveTest {

    static final String[] SYMBOLS = {"NAA", "NAB", "NAC", "NAD"};
    static final LocalDate NEW_DAY = LocalDate.of(2026, 9, 1);

    @Inject
    RefreshService refresh;

    @BeforeEach
    void fixture() {
        MarketFixture.load();
        clear();
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.securities (symbol, name, asset_type, industry, source) VALUES
                ('NAA', 'November Alpha', 'stock', 'NA Fixture', 'api'), ('NAB', 'November Bravo', 'stock', 'NA Fixture', 'api'),
                ('NAC', 'November Charlie', 'stock', 'NA Fixture', 'api'), ('NAD', 'November Delta', 'stock', 'NA Fixture', 'api')""");
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) VALUES
                ('NAA', '2025-09-01', 'polygon', 10, 50, 5, 10, 1), ('NAA', '2025-09-02', 'polygon', 25, 30, 20, 25, 1),
                ('NAA', '2026-08-31', 'polygon', 24, 25, 22, 24, 1),
                ('NAB', '2025-08-29', 'polygon', 11, 12, 10, 11, 1), ('NAB', '2025-09-01', 'polygon', 13, 15, 12, 13, 1),
                ('NAB', '2026-03-02', 'yahoo', 30, 40, 10, 30, 1), ('NAB', '2026-08-31', 'polygon', 19, 20, 18, 19, 1),
                ('NAC', '2025-09-01', 'polygon', 2, 9, 1, 2, 1), ('NAC', '2026-08-31', 'polygon', 7.5, 8, 7, 7.5, 1),
                ('NAD', '2026-01-05', 'polygon', 10, 14, 9, 12, 1), ('NAD', '2026-08-31', 'polygon', 12, 13, 11, 12, 1)""");
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.short_positions (symbol, date, source, short_position) VALUES
                ('NAA', '2026-05-15', 'finra', 0.3), ('NAB', '2025-09-01', 'finra', 0.10), ('NAB', '2026-08-14', 'finra', 0.20)""");
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.dividends (symbol, ex_date, source, pay_date, amount, type) VALUES
                ('NAA', '2025-09-01', 'polygon', '2025-09-15', 0.5, 'regular'),
                ('NAA', '2026-08-20', 'polygon', '2026-09-01', 0.2, 'regular')""");
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
        for (String table : List.of("raw.price_bars", "raw.price_ticks", "raw.dividends", "raw.short_positions", "raw.securities")) {
            Db.exec(Db.PROCESSING, "DELETE FROM " + table + " WHERE symbol = ANY(?)", (Object) SYMBOLS);
        }
    }

    /** The new day's bars (NAC has none) and the benchmark's, which moves the as-of date. */
    private static void newDay() {
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) VALUES
                ('MTBM', '2026-09-01', 'polygon', 520, 520, 520, 520, 1000),
                ('NAA', '2026-09-01', 'polygon', 25, 26, 23, 25, 1), ('NAB', '2026-09-01', 'polygon', 32, 33, 16, 32, 1),
                ('NAD', '2026-09-01', 'polygon', 12, 12.5, 11.5, 12.2, 1)""");
    }

    /** An ingestion event's refresh of every mart: the named symbols' (null: all) raw rows dated from .. to. */
    private void refreshTargeted(List<String> symbols, LocalDate from, LocalDate to) {
        RefreshService.RunReport report = refresh.refresh("test", MartCatalog.MARTS, new LoadScope.Targeted(symbols, from, to), null)
                .await().atMost(Duration.ofSeconds(60));
        assertEquals(NEW_DAY, report.asOf());
        report.marts().forEach(m -> assertEquals("succeeded", m.status(), m.name()));
    }

    private static Map<String, Object> summary(String symbol) {
        return Db.one(Db.SERVING, "SELECT * FROM serving.stocks_summary WHERE symbol = ?", symbol);
    }

    private static void assertDecimal(String expected, Object actual, String what) {
        assertTrue(Db.same(actual, expected), what + ": expected " + expected + " but was " + actual);
    }

    private static void assertRange(String symbol, String high, String low) {
        Map<String, Object> row = summary(symbol);
        assertDecimal(high, row.get("high_52w"), symbol + " 52-week high");
        assertDecimal(low, row.get("low_52w"), symbol + " 52-week low");
    }

    private static Object treemapVersion(String period, String metric, String symbol) {
        return Db.one(Db.PROCESSING, "SELECT xmin::text AS v FROM mart.treemap WHERE period = ? AND metric = ? AND symbol = ?",
                period, metric, symbol).get("v");
    }

    @Test
    void shouldCarryTheFiftyTwoWeekRangeForwardAndRecomputeItWhereTheExtremeLeftTheWindow() {
        assertRange("NAA", "50", "5");
        assertRange("NAB", "40", "10");
        assertRange("NAC", "9", "1");
        assertRange("NAD", "14", "9");
        Object untouchedShortRow = treemapVersion("3m", "short", "NAA");
        newDay();

        refreshTargeted(null, NEW_DAY, NEW_DAY);

        // NAA: 2025-09-01 (50 / 5) left; 2025-09-02 (30 / 20), 2026-08-31 (25 / 22), 2026-09-01 (26 / 23) remain.
        assertRange("NAA", "30", "20");
        // NAB: 2026-03-02 (40 / 10) still inside; the new day's 33 / 16 sets no extreme.
        assertRange("NAB", "40", "10");
        // NAC, without a new bar: only 2026-08-31 (8 / 7) remains.
        assertRange("NAC", "8", "7");
        // NAD: nothing left the window, 12.5 / 11.5 is inside 14 / 9.
        assertRange("NAD", "14", "9");
        Map<String, Object> naa = Db.one(Db.SERVING, "SELECT * FROM serving.market_latest WHERE symbol = 'NAA'");
        assertDecimal("25", naa.get("price"), "NAA price");
        assertDecimal("24", naa.get("previous_close"), "NAA previous close");

        // 1y starts 2025-09-01 now: NAA had no close on or before 2025-08-31 (null), now 10: 25 / 10 - 1.
        assertDecimal("1.5", summary("NAA").get("change_1y"), "NAA 1y");
        // NAB: the start close moves from 11 (2025-08-29) to 13 (2025-09-01): 32 / 13 - 1.
        assertDecimal("1.461538461538461538", summary("NAB").get("change_1y"), "NAB 1y");
        // NAB 3m (2026-06-01): 2026-03-02's 30 as before: 32 / 30 - 1.
        assertDecimal("0.066666666666666667", summary("NAB").get("change_3m"), "NAB 3m");
        // NAC: 7.5 / 2 - 1 with its old latest close.
        assertDecimal("2.75", summary("NAC").get("change_1y"), "NAC 1y");
        // NAD: no close on or before 2025-09-01.
        assertNull(summary("NAD").get("change_1y"));

        // NAB's 1y short start is now 2025-09-01's 0.10: change 0.20 - 0.10. NAA's 3m short row did not change.
        Map<String, Object> shortNab = Db.one(Db.SERVING,
                "SELECT * FROM serving.treemap WHERE period = '1y' AND metric = 'short' AND symbol = 'NAB'");
        assertDecimal("0.10", shortNab.get("earliest_value"), "NAB 1y short earliest");
        assertDecimal("0.10", shortNab.get("change"), "NAB 1y short change");
        assertEquals(untouchedShortRow, treemapVersion("3m", "short", "NAA"));
        // 1y price ranks in 'NA Fixture' by change: NAC 2.75, NAA 1.5, NAB 1.46, NAD null.
        assertEquals(List.of("NAC", "NAA", "NAB", "NAD"), Db.query(Db.SERVING, "SELECT symbol FROM serving.treemap "
                        + "WHERE period = '1y' AND metric = 'price' AND industry = 'NA Fixture' ORDER BY rank_change")
                .stream().map(r -> r.get("symbol")).toList());

        // NAA's 2025-09-01 dividend left the TTM window: 0.2 of one regular ex-date (frequency 1), no projection
        // (a single ex-date has no gap); the 2026-08-20 dividend, paid 2026-09-01, is paid now.
        assertDecimal("0.2", summary("NAA").get("ttm_dividends"), "NAA TTM");
        assertEquals(1, summary("NAA").get("frequency"));
        assertEquals("paid", Db.one(Db.SERVING,
                "SELECT status FROM serving.dividend_calendar WHERE symbol = 'NAA' AND ex_date = '2026-08-20'").get("status"));
        assertEquals(0L, Db.count(Db.SERVING, "SELECT count(*) FROM serving.dividend_calendar WHERE symbol = 'NAA' AND status = 'projected'"));
    }

    @Test
    void shouldRecomputeTheRangeWhenTheBarHoldingTheExtremeChangedWithTheNewDay() {
        // Before the move NAA has two regular ex-dates in the window: one projection, 2026-08-20 + 353 days.
        assertEquals("2027-08-08", Db.one(Db.SERVING, "SELECT ex_date::text AS e FROM serving.dividend_calendar "
                + "WHERE symbol = 'NAA' AND status = 'projected'").get("e"));
        newDay();
        // polygon outranks yahoo: NAB's 2026-03-02 bar, which held both extremes, becomes (30, 35, 11, 30).
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) "
                + "VALUES ('NAB', '2026-03-02', 'polygon', 30, 35, 11, 30, 1)");

        refreshTargeted(List.of("NAB", "MTBM"), LocalDate.of(2026, 3, 2), NEW_DAY);

        // (2025-09-01, 2026-09-01]: 2026-03-02 (35 / 11), 2026-08-31 (20 / 18), 2026-09-01 (33 / 16).
        assertRange("NAB", "35", "11");
        // NAA's and NAC's new-day bars were not loaded (not named): their ranges move with the as-of only.
        assertRange("NAA", "30", "20");
        assertRange("NAC", "8", "7");
        assertDecimal("24", summary("NAA").get("price"), "NAA price (its new bar is not loaded)");
    }

    @Test
    void shouldLeaveEveryTableAsAFullRebuildWouldAfterTheAsOfMoved() {
        newDay();
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) "
                + "VALUES ('NAB', '2026-03-02', 'polygon', 30, 35, 11, 30, 1)");
        refreshTargeted(null, LocalDate.of(2026, 3, 2), NEW_DAY);
        Map<String, List<Object>> carried = everything();

        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200).body("status", everyItem(equalTo("succeeded")));

        Map<String, List<Object>> rebuilt = everything();
        rebuilt.forEach((table, rows) -> assertEquals(rows, carried.get(table), table));
    }

    /** Every row of the intermediate tables and the marts, as text, in key order. */
    private static Map<String, List<Object>> everything() {
        Map<String, String> tables = Map.ofEntries(
                Map.entry("intermediate.price_stats", "symbol"), Map.entry("intermediate.period_closes", "symbol"),
                Map.entry("intermediate.period_returns", "symbol, period"),
                Map.entry("intermediate.period_shorts", "symbol, period"),
                Map.entry("intermediate.dividend_stats", "symbol"), Map.entry("intermediate.projected_dividends", "symbol, ex_date"),
                Map.entry("mart.market_latest", "symbol"), Map.entry("mart.stocks_summary", "symbol"),
                Map.entry("mart.screener_results", "symbol"), Map.entry("mart.dividend_calendar", "symbol, ex_date"),
                Map.entry("mart.treemap", "period, metric, symbol"), Map.entry("mart.etf_holdings", "etf_symbol, holding_symbol"));
        Map<String, List<Object>> rows = new java.util.TreeMap<>();
        tables.forEach((table, key) -> rows.put(table, Db.query(Db.PROCESSING, "SELECT t::text AS r FROM " + table + " t ORDER BY " + key)
                .stream().map(r -> r.get("r")).toList()));
        return rows;
    }
}
