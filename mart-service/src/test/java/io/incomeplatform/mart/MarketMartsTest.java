package io.incomeplatform.mart;

import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.MarketFixture;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every market mart column of calculations.md on the hand-made {@link MarketFixture}, read from the
 * serving side after a full refresh and sync. As-of = MTBM's last bar, 2026-08-31; the 365-day window
 * is (2025-08-31, 2026-08-31].
 */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class MarketMartsTest {

    private static boolean refreshed;

    @BeforeEach
    void loadFixtureAndRefreshOnce() {
        if (refreshed) {
            return;
        }
        refreshed = true;
        MarketFixture.load();
        Refresh.post("/api/v1/marts/refresh?full=true")
                .then().statusCode(200)
                .body("name", hasItems("market_latest", "stocks_summary", "screener_results", "dividend_calendar",
                        "etf_holdings", "treemap"))
                .body("status", everyItem(equalTo("succeeded")))
                .body("asOf", everyItem(equalTo("2026-08-31")));
    }

    private static Map<String, Object> summary(String symbol) {
        return Db.one(Db.SERVING, "SELECT * FROM serving.stocks_summary WHERE symbol = ?", symbol);
    }

    private static void assertDecimal(String expected, Object actual, String what) {
        assertTrue(Db.same(actual, expected), what + ": expected " + expected + " but was " + actual);
    }

    @Test
    void shouldTakeTheHighestPriorityBarOverOtherSourcesAndTicks() {
        Map<String, Object> mta = Db.one(Db.SERVING, "SELECT * FROM serving.market_latest WHERE symbol = 'MTA'");
        // polygon's bar (close 101) beats yahoo's (99) and the 150 tick of the same day; previous close 100.
        assertDecimal("101", mta.get("price"), "price");
        assertEquals(Date.valueOf("2026-08-31"), mta.get("price_date"));
        assertDecimal("100", mta.get("previous_close"), "previous close");
        assertDecimal("1", mta.get("change"), "change");
        assertDecimal("0.01", mta.get("change_ratio"), "change ratio"); // 101 / 100 - 1
        assertEquals("polygon", mta.get("source"));
        assertEquals(100L, ((Number) mta.get("volume")).longValue());
    }

    @Test
    void shouldDateTicksInTheExchangeTimeZone() {
        Map<String, Object> mtt = Db.one(Db.SERVING, "SELECT * FROM serving.market_latest WHERE symbol = 'MTT'");
        // 2026-09-01T02:00Z is 22:00 on 2026-08-31 in New York: Aug 31's last tick (11) after 14:00Z (10);
        // 2026-08-31T03:00Z is 23:00 on Aug 30 in New York: Aug 30's close (9).
        assertDecimal("11", mtt.get("price"), "price");
        assertEquals(Date.valueOf("2026-08-31"), mtt.get("price_date"));
        assertDecimal("9", mtt.get("previous_close"), "previous close");
        assertDecimal("2", mtt.get("change"), "change");
        assertDecimal("0.222222222222222222", mtt.get("change_ratio"), "change ratio"); // 11 / 9 - 1
        assertEquals(10L, ((Number) mtt.get("volume")).longValue()); // 7 + 3
        assertEquals(true, Db.one(Db.SERVING, "SELECT ts = '2026-09-01T02:00:00Z'::timestamptz AS last_tick "
                + "FROM serving.market_latest WHERE symbol = 'MTT'").get("last_tick"));
        Map<String, Object> day = Db.one(Db.PROCESSING, "SELECT * FROM mart.market_daily WHERE symbol = 'MTT' AND date = '2026-08-31'");
        assertDecimal("10", day.get("open"), "open");
        assertDecimal("11", day.get("high"), "high");
        assertDecimal("10", day.get("low"), "low");
    }

    @Test
    void shouldComputePeriodChangesWithClampedMonthsAndNullsForShortHistory() {
        Map<String, Object> bm = summary("MTBM");
        assertDecimal("0.02", bm.get("change_1m"), "1m");             // start 2026-07-31: 510 / 500 - 1
        assertDecimal("0.040816326530612245", bm.get("change_3m"), "3m"); // 2026-05-31 -> 05-29 close 490: 510/490-1
        // 2026-08-31 minus 6 months clamps to 2026-02-28 -> close of 02-27 (480), not 03-02 (470): 510/480-1
        assertDecimal("0.0625", bm.get("change_6m"), "6m");
        assertDecimal("0.133333333333333333", bm.get("change_1y"), "1y"); // 2025-08-31 -> 08-29 (450)
        assertDecimal("0.275", bm.get("change_2y"), "2y");           // 2024-08-31 -> 08-30 (400)
        assertNull(bm.get("change_5y"), "no close on or before 2021-08-31");
        assertDecimal("0.275", bm.get("change_max"), "max");         // first close 400

        Map<String, Object> mta = summary("MTA");
        assertDecimal("0.063157894736842105", mta.get("change_1m"), "1m"); // 101 / 95 - 1
        assertDecimal("0.122222222222222222", mta.get("change_3m"), "3m"); // 101 / 90 (2025-09-02) - 1
        assertDecimal("0.122222222222222222", mta.get("change_6m"), "6m");
        assertDecimal("0.188235294117647059", mta.get("change_1y"), "1y"); // 101 / 85 (2025-08-29) - 1
        assertNull(mta.get("change_2y"));
        assertDecimal("0.188235294117647059", mta.get("change_max"), "max");

        Map<String, Object> mtc = summary("MTC");
        assertNull(mtc.get("change_1m"), "MTC's first close is 2026-08-28, after the 1m start");
        assertDecimal("0.041666666666666667", mtc.get("change_max"), "max"); // 50 / 48 - 1
    }

    @Test
    void shouldComputeFiftyTwoWeekRangeFromCanonicalBarsInsideTheWindow() {
        Map<String, Object> mta = summary("MTA");
        // 2025-08-29 (high 200, low 10) is outside (2025-08-31, 2026-08-31]; yahoo's 130/70 bar is not canonical.
        assertDecimal("120", mta.get("high_52w"), "high");
        assertDecimal("80", mta.get("low_52w"), "low");
    }

    @Test
    void shouldComputeDividendMetricsFromCanonicalDividends() {
        Map<String, Object> mta = summary("MTA");
        // TTM: 0.24 x 3 + 0.25 (polygon beats yahoo's 0.30) + 1.00 special = 1.97; 2025-08-15 is outside.
        assertDecimal("1.97", mta.get("ttm_dividends"), "ttm");
        assertDecimal("0.019504950495049505", mta.get("ttm_yield"), "ttm yield"); // 1.97 / 101
        assertEquals(4, mta.get("frequency"));                                     // 4 regular ex-dates
        assertDecimal("0.25", mta.get("last_regular_amount"), "last regular");
        assertDecimal("1.00", mta.get("forward_dividend"), "forward");            // 0.25 x 4, special excluded
        assertDecimal("0.009900990099009901", mta.get("forward_yield"), "forward yield"); // 1 / 101

        Map<String, Object> mtc = summary("MTC");
        assertEquals(4, mtc.get("frequency"));                         // 3 regular ex-dates in the window
        assertDecimal("1.20", mtc.get("ttm_dividends"), "ttm");        // the announced 2026-09-15 is not TTM
        assertDecimal("0.024", mtc.get("ttm_yield"), "ttm yield");     // 1.20 / 50
        assertDecimal("0.50", mtc.get("last_regular_amount"), "last regular includes the announced one");
        assertDecimal("2.00", mtc.get("forward_dividend"), "forward"); // 0.50 x 4
        assertDecimal("0.04", mtc.get("forward_yield"), "forward yield");

        Map<String, Object> mtw = summary("MTW");
        assertEquals(52, mtw.get("frequency"));                        // 46 weekly ex-dates >= 45
        assertDecimal("4.60", mtw.get("ttm_dividends"), "ttm");        // 46 x 0.10
        assertDecimal("5.20", mtw.get("forward_dividend"), "forward"); // 0.10 x 52
        assertDecimal("0.26", mtw.get("forward_yield"), "forward yield");

        assertEquals(12, summary("MTE").get("frequency"));             // 10 monthly ex-dates
        assertEquals(1, summary("MTF").get("frequency"));              // 1 ex-date
        assertDecimal("0.05", summary("MTF").get("forward_yield"), "2.00 x 1 / 40");

        Map<String, Object> mtg = summary("MTG");
        assertNull(mtg.get("frequency"));
        assertDecimal("0", mtg.get("ttm_dividends"), "no dividends");
        assertNull(mtg.get("forward_dividend"));
    }

    @Test
    void shouldMergeDividendSourcesByPriorityFillingMissingDates() {
        Map<String, Object> row = Db.one(Db.SERVING,
                "SELECT * FROM serving.dividend_calendar WHERE symbol = 'MTA' AND ex_date = '2026-08-14'");
        assertDecimal("0.25", row.get("amount"), "amount from polygon");
        assertEquals(Date.valueOf("2026-08-28"), row.get("pay_date"), "pay date filled from yahoo");
        assertEquals("polygon", row.get("source"));
        assertEquals("paid", row.get("status"));
        assertEquals("special", Db.one(Db.SERVING,
                "SELECT type FROM serving.dividend_calendar WHERE symbol = 'MTA' AND ex_date = '2026-06-01'").get("type"));
        assertEquals("announced", Db.one(Db.SERVING,
                "SELECT status FROM serving.dividend_calendar WHERE symbol = 'MTC' AND ex_date = '2026-09-15'").get("status"));
    }

    @Test
    void shouldProjectDividendsByMedianGaps() {
        // MTA gaps 90, 92, 91 -> median 91 from 2026-08-14; pay gaps 14, 15, 14, 14 -> lower middle 14.
        assertEquals(List.of(
                        List.of("2026-11-13", "2026-11-27"), List.of("2027-02-12", "2027-02-26"),
                        List.of("2027-05-14", "2027-05-28"), List.of("2027-08-13", "2027-08-27")),
                projected("MTA"));
        // MTD gaps 100, 119 -> lower middle 100 from 2026-08-12; pay gaps 15, 10 -> lower middle 10.
        assertEquals(List.of(
                        List.of("2026-11-20", "2026-11-30"), List.of("2027-02-28", "2027-03-10"),
                        List.of("2027-06-08", "2027-06-18")),
                projected("MTD"));
        assertDecimal("0.30", Db.one(Db.SERVING, "SELECT amount FROM serving.dividend_calendar WHERE symbol = 'MTD' "
                + "AND status = 'projected' AND ex_date = '2026-11-20'").get("amount"), "last regular amount");
        // MTW: weekly from 2026-08-28 up to 2027-08-31: 52 rows, first 2026-09-04, last 2027-08-27, pay = ex (none known).
        List<List<String>> weekly = projected("MTW");
        assertEquals(52, weekly.size());
        assertEquals(List.of("2026-09-04", "2026-09-04"), weekly.getFirst());
        assertEquals(List.of("2027-08-27", "2027-08-27"), weekly.getLast());
        // MTE: gaps 28..31, median 31, 12 steps from 2026-08-10 fit in (2026-08-31, 2027-08-31].
        assertEquals(12, projected("MTE").size());
        assertEquals(List.of("2026-09-10", "2026-09-10"), projected("MTE").getFirst());
        assertTrue(projected("MTC").isEmpty(), "an announced dividend after as-of: no projection");
        assertTrue(projected("MTF").isEmpty(), "a single ex-date has no gap to step by");
    }

    private static List<List<String>> projected(String symbol) {
        return Db.query(Db.SERVING, "SELECT ex_date::text AS e, pay_date::text AS p FROM serving.dividend_calendar "
                        + "WHERE symbol = ? AND status = 'projected' ORDER BY ex_date", symbol)
                .stream().map(r -> List.of((String) r.get("e"), (String) r.get("p"))).toList();
    }

    @Test
    void shouldRankTreemapPerIndustryWithNullsLast() {
        List<Map<String, Object>> software = Db.query(Db.SERVING, "SELECT * FROM serving.treemap "
                + "WHERE period = '3m' AND metric = 'price' AND industry = 'MT Fixture Software' ORDER BY rank_current");
        assertEquals(List.of("MTG", "MTA", "MTB"), software.stream().map(r -> r.get("symbol")).toList());
        Map<String, Object> mta = software.get(1);
        assertDecimal("101", mta.get("current_value"), "current");
        assertDecimal("90", mta.get("earliest_value"), "close on or before 2026-05-31");
        assertDecimal("0.122222222222222222", mta.get("change"), "change");
        // By change: MTB 20/10-1 = 1.0, MTA 0.12, MTG null (no close on or before the start) last.
        assertEquals(List.of("MTB", "MTA", "MTG"), Db.query(Db.SERVING, "SELECT symbol FROM serving.treemap "
                        + "WHERE period = '3m' AND metric = 'price' AND industry = 'MT Fixture Software' ORDER BY rank_change")
                .stream().map(r -> r.get("symbol")).toList());
        assertTrue(Db.query(Db.SERVING, "SELECT 1 FROM serving.treemap WHERE period = '1m'").isEmpty(), "no 1m treemap");

        Map<String, Object> shortMta = Db.one(Db.SERVING,
                "SELECT * FROM serving.treemap WHERE period = '3m' AND metric = 'short' AND symbol = 'MTA'");
        assertDecimal("0.05", shortMta.get("current_value"), "finra's 0.05 beats other's 0.09");
        assertDecimal("0.02", shortMta.get("earliest_value"), "on or before 2026-05-31");
        assertDecimal("0.03", shortMta.get("change"), "difference, not ratio");
        assertEquals(1, shortMta.get("rank_current"));
    }

    @Test
    void shouldKeepOnlyTheLatestEtfSnapshot() {
        List<Map<String, Object>> rows = Db.query(Db.SERVING,
                "SELECT holding_symbol, weight, as_of FROM serving.etf_holdings WHERE etf_symbol = 'MTBM' ORDER BY holding_symbol");
        assertEquals(List.of("MTA", "MTC"), rows.stream().map(r -> r.get("holding_symbol")).toList());
        assertDecimal("0.6", rows.get(0).get("weight"), "weight");
        assertEquals(Date.valueOf(LocalDate.of(2026, 8, 28)), rows.get(0).get("as_of"));
    }

    @Test
    void shouldFillScreenerFromTheSummary() {
        Map<String, Object> mta = Db.one(Db.SERVING, "SELECT * FROM serving.screener_results WHERE symbol = 'MTA'");
        assertEquals("Technology", mta.get("sector"));
        assertDecimal("0.188235294117647059", mta.get("change_1y"), "1y");
        assertDecimal("0.019504950495049505", mta.get("ttm_yield"), "ttm yield");
    }
}
