package io.incomeplatform.dashboard;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every card value of a hand-made ledger over hand-made marts, worked out by hand in the comments. */
@QuarkusTest
class DashboardCardsTest {

    static final LocalDate AS_OF = LocalDate.of(2026, 11, 20);
    static final UUID ALL = new UUID(0, 0);

    static JsonPath dashboard(String token, String portfolioId) {
        var request = given().config(RestAssured.config().jsonConfig(JsonConfig.jsonConfig()
                .numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL))).auth().oauth2(token);
        if (portfolioId != null) {
            request = request.queryParam("portfolioId", portfolioId);
        }
        return request.get("/api/v1/dashboard").then().statusCode(200).extract().jsonPath();
    }

    static void assertNumber(String expected, JsonPath json, String path) {
        Object actual = json.get(path);
        assertTrue(actual instanceof Number, path + " should be a number but was " + actual);
        BigDecimal difference = new BigDecimal(expected).subtract(new BigDecimal(actual.toString())).abs();
        assertTrue(difference.compareTo(new BigDecimal("1e-12")) < 0, path + ": expected " + expected + " but was " + actual);
    }

    static String portfolio(String token, String name) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", name))
                .post("/api/v1/portfolios").then().statusCode(201).extract().path("id");
    }

    static void buy(String token, String portfolio, String type, String symbol, String date, String shares, String price, String fee) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("type", type, "symbol", symbol, "date", date, "shares", new BigDecimal(shares)));
        if (price != null) {
            body.put("price", new BigDecimal(price));
        }
        if (fee != null) {
            body.put("fee", new BigDecimal(fee));
        }
        TestSupport.retryingIfSymbolsWiped(() -> given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .post("/api/v1/portfolios/" + portfolio + "/transactions")).then().statusCode(201);
    }

    @Test
    void shouldComputeEveryCardFromTheLedgerAndTheMarts() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        String a = TestSupport.uniqueSymbol();     // stock, Technology
        String r = TestSupport.uniqueSymbol();     // reit, Real Estate
        String n = TestSupport.uniqueSymbol();     // stock without a sector, pays nothing
        String bench = TestSupport.uniqueSymbol(); // the profile's benchmark: its latest close date is the as-of date
        TestSupport.stock(a, "stock", "Technology", "25", AS_OF, "1.5");
        TestSupport.stock(r, "reit", "Real Estate", "20", AS_OF, "1.2");
        TestSupport.stock(n, "stock", null, "10", AS_OF, null);
        TestSupport.stock(bench, "etf", "Index", "500", AS_OF, null);

        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of(
                "benchmark", bench, "taxRate", 0.15, "assetTypeTaxRates", Map.of("reit", 0.24),
                "expenses", List.of(Map.of("category", "Internet", "monthlyAmount", 20), Map.of("category", "Phone", "monthlyAmount", 4),
                        Map.of("category", "Rent", "monthlyAmount", 1000)),
                "withdrawalRate", 0.04,
                "targetAllocation", Map.of("sector:Technology", 0.4, "symbol:" + r, 0.22, "sector:Utilities", 0.1),
                "rebalanceThreshold", 0.05)).put("/api/v1/profile").then().statusCode(200);

        String main = portfolio(token, "Main");
        String second = portfolio(token, "Second");
        buy(token, main, "BUY", a, "2025-01-02", "100", "40", "10");   // A: 100 sh, basis 100 x 40 + 10 = 4010
        buy(token, main, "BUY", r, "2025-02-03", "100", "25", null);   // R: 100 sh, basis 2500
        buy(token, main, "SPLIT", a, "2025-03-01", "2", null, null);   // A: 200 sh, basis 4010
        buy(token, main, "SELL", a, "2025-04-01", "40", "30", "5");    // A: sold basis 4010 x 40 / 200 = 802 -> 160 sh, basis 3208
        buy(token, second, "BUY", n, "2025-05-05", "200", "8", null);  // N: 200 sh, basis 1600

        TestSupport.performance(user, ALL, "1m", bench, "0.02", "0.015", AS_OF);
        TestSupport.performance(user, ALL, "3m", bench, "-0.01", "0.03", AS_OF);
        TestSupport.performance(user, ALL, "1y", bench, "0.12", null, AS_OF);
        TestSupport.summary(user, ALL, bench, AS_OF, LocalDate.of(2025, 1, 2), "0.087");

        TestSupport.dividend(a, LocalDate.of(2026, 10, 1), LocalDate.of(2026, 11, 15), "0.375", "paid");      // paid before as-of: not upcoming
        TestSupport.dividend(a, LocalDate.of(2026, 11, 25), LocalDate.of(2026, 12, 10), "0.375", "announced"); // 160 x 0.375 = 60
        TestSupport.dividend(r, LocalDate.of(2026, 11, 28), LocalDate.of(2026, 12, 5), "0.1", "projected");    // 100 x 0.1 = 10
        TestSupport.dividend(r, LocalDate.of(2026, 12, 15), LocalDate.of(2026, 12, 28), "0.1", "projected");   // after as-of + 30 days

        // Retried only if a concurrent mart-service sync replaced the shared serving tables mid-test.
        TestSupport.retryingIfMartsWereReplaced(() -> {
            JsonPath d = dashboard(token, null);

            // Performance: value = 160 x 25 + 100 x 20 + 200 x 10 = 4000 + 2000 + 2000 = 8000.
            assertNumber("8000", d, "performanceCommand.portfolioValue");
            assertEquals("2026-11-20", d.getString("performanceCommand.asOf"));
            assertEquals(bench, d.getString("performanceCommand.portfolioVsSpy.benchmark"));
            assertEquals("time-weighted", d.getString("performanceCommand.portfolioVsSpy.method"));
            assertNumber("0.02", d, "performanceCommand.portfolioVsSpy.periods.1m.portfolio");
            assertNumber("0.015", d, "performanceCommand.portfolioVsSpy.periods.1m.benchmark");
            assertNumber("0.005", d, "performanceCommand.portfolioVsSpy.periods.1m.outperformance");   // 0.02 - 0.015
            assertNumber("-0.04", d, "performanceCommand.portfolioVsSpy.periods.3m.outperformance");   // -0.01 - 0.03
            assertNumber("0.12", d, "performanceCommand.portfolioVsSpy.periods.1y.portfolio");
            assertNull(d.get("performanceCommand.portfolioVsSpy.periods.1y.benchmark"));
            assertNull(d.get("performanceCommand.portfolioVsSpy.periods.1y.outperformance"));
            assertNull(d.get("performanceCommand.portfolioVsSpy.periods.5y.portfolio"));
            assertNumber("0.087", d, "performanceCommand.moneyWeightedReturn.annualized");
            assertEquals("2025-01-02", d.getString("performanceCommand.moneyWeightedReturn.since"));
            assertTrue(d.getString("performanceCommand.moneyWeightedReturn.method").startsWith("money-weighted"));

            assertEquals(List.of(a, n, r).stream().sorted().toList(), d.getList("performanceCommand.holdingsBreakdown.symbol"));
            String ha = "performanceCommand.holdingsBreakdown.find { it.symbol == '" + a + "' }.";
            String hr = "performanceCommand.holdingsBreakdown.find { it.symbol == '" + r + "' }.";
            String hn = "performanceCommand.holdingsBreakdown.find { it.symbol == '" + n + "' }.";
            assertNumber("160", d, ha + "shares");
            assertNumber("25", d, ha + "price");
            assertNumber("4000", d, ha + "value");
            assertNumber("0.5", d, ha + "weight");                          // 4000 / 8000
            assertNumber("3208", d, ha + "costBasis");
            assertNumber("792", d, ha + "unrealizedGain");                  // 4000 - 3208
            assertNumber("0.2468827930174563591022443890274314", d, ha + "unrealizedReturn"); // 4000 / 3208 - 1 = 0.24688279...
            assertNumber("0.25", d, hr + "weight");
            assertNumber("-500", d, hr + "unrealizedGain");                 // 2000 - 2500
            assertNumber("-0.2", d, hr + "unrealizedReturn");               // 2000 / 2500 - 1
            assertNumber("0.25", d, hn + "unrealizedReturn");               // 2000 / 1600 - 1
            assertEquals("Unknown", d.getString(hn + "sector"));

            // Income: A 160 x 1.5 = 240 a year, R 100 x 1.2 = 120, N nothing -> 360; monthly 30.
            // Tax: A 240 / 12 x 0.15 = 3; R (reit) 120 / 12 x 0.24 = 2.4 -> 5.4. Net 30 - 5.4 = 24.6.
            // Expenses 20 + 4 + 1000 = 1024; after expenses 24.6 - 1024 = -999.4; nothing to reinvest. Yield 360 / 8000.
            String flow = "incomeIntelligence.monthlyFlow.";
            assertNumber("360", d, flow + "forwardAnnualIncome");
            assertNumber("30", d, flow + "grossMonthlyIncome");
            assertNumber("5.4", d, flow + "taxOwedMonthly");
            assertNumber("24.6", d, flow + "netMonthlyIncome");
            assertNumber("1024", d, flow + "monthlyExpenses");
            assertNumber("-999.4", d, flow + "afterExpensesMonthly");
            assertNumber("0", d, flow + "reinvestmentAvailable");
            assertNumber("0.045", d, flow + "portfolioYield");
            // Tax suggestions, largest saving first: harvest R's loss 500 x 0.15 = 75; R's income in an IRA 120 x 0.24 = 28.8.
            assertEquals(List.of("tax-loss-harvesting", "tax-advantaged-account"), d.getList("incomeIntelligence.taxOptimization.rule"));
            assertEquals(List.of(r, r), d.getList("incomeIntelligence.taxOptimization.symbol"));
            assertNumber("75", d, "incomeIntelligence.taxOptimization[0].estimatedAnnualSavings");
            assertNumber("28.8", d, "incomeIntelligence.taxOptimization[1].estimatedAnnualSavings");

            // Lifestyle: coverage 24.6 / 1024 = 0.0240234375; FIRE number 12 x 1024 / 0.04 = 307200; progress 8000 / 307200.
            assertNumber("0.0240234375", d, "lifestyleTracker.expenseCoverage.coverageRatio");
            assertNumber("307200", d, "lifestyleTracker.fireProgress.fireNumber");
            assertNumber("0.02604166666666666666666666666666667", d, "lifestyleTracker.fireProgress.progressRatio");
            // Milestones: Internet 20 (24.6 >= 20), Phone 24 (24.6 >= 24) achieved; Rent 1024 not: 1024 - 24.6 = 999.4 more needed.
            assertEquals(List.of("Internet", "Phone", "Rent"), d.getList("lifestyleTracker.fireProgress.milestones.category"));
            assertEquals(List.of(true, true, false), d.getList("lifestyleTracker.fireProgress.milestones.achieved"));
            assertNumber("24", d, "lifestyleTracker.fireProgress.milestones[1].cumulativeAmount");
            assertNumber("1024", d, "lifestyleTracker.fireProgress.milestones[2].cumulativeAmount");
            assertEquals("Rent", d.getString("lifestyleTracker.fireProgress.nextMilestone.category"));
            assertNumber("999.4", d, "lifestyleTracker.fireProgress.nextMilestone.additionalMonthlyIncomeNeeded");

            // Strategy: Technology 0.5 vs 0.4 -> drift 0.1 > 0.05: SELL 0.1 x 8000 = 800. R 0.25 vs 0.22 -> 0.03, under the
            // threshold: no row. Utilities 0 vs 0.1 -> -0.1: BUY 800.
            List<Map<String, Object>> rows = d.getList("strategyOptimizer.recommendations.rebalancing");
            assertEquals(2, rows.size());
            String tech = "strategyOptimizer.recommendations.rebalancing.find { it.key == 'sector:Technology' }.";
            String util = "strategyOptimizer.recommendations.rebalancing.find { it.key == 'sector:Utilities' }.";
            assertEquals("SELL", d.getString(tech + "action"));
            assertEquals("sector", d.getString(tech + "kind"));
            assertNumber("0.5", d, tech + "actualWeight");
            assertNumber("0.1", d, tech + "drift");
            assertNumber("800", d, tech + "amount");
            assertEquals("BUY", d.getString(util + "action"));
            assertNumber("0", d, util + "actualWeight");
            assertNumber("-0.1", d, util + "drift");
            assertNumber("800", d, util + "amount");
            // hhi = 0.5^2 + 0.25^2 + 0.25^2 = 0.375; risk = 100 x (0.5 x 0.375 + 0.25 x 0.5 + 0.25 x 0.5) = 43.75 -> 44.
            assertNumber("0.375", d, "strategyOptimizer.riskAnalysis.hhi");
            assertNumber("0.5", d, "strategyOptimizer.riskAnalysis.topPositionWeight");
            assertEquals(a, d.getString("strategyOptimizer.riskAnalysis.topPosition"));
            assertNumber("0.5", d, "strategyOptimizer.riskAnalysis.sectorWeights.Technology");
            assertNumber("0.25", d, "strategyOptimizer.riskAnalysis.sectorWeights.Unknown");
            assertNumber("44", d, "strategyOptimizer.riskAnalysis.riskScore");
            // Score inputs: diversification 1 - 0.375 = 0.625; allocation fit 1 - (0.1 + 0.03 + 0.1) = 0.77; income coverage
            // 0.0240234375. Score = 100 x (0.625 + 0.77 + 0.0240234375) / 3 = 47.30 -> 47.
            assertNumber("0.625", d, "strategyOptimizer.recommendations.scoreInputs.diversification");
            assertNumber("0.77", d, "strategyOptimizer.recommendations.scoreInputs.allocationFit");
            assertNumber("47", d, "strategyOptimizer.recommendations.score");
            assertEquals(List.of("concentration", "sector-concentration", "rebalance", "rebalance"),
                    d.getList("strategyOptimizer.recommendations.suggestions.kind"));

            // Recent activity, newest first; upcoming dividends paid in (2026-11-20, 2026-12-20], by pay date.
            assertEquals(List.of("2025-05-05", "2025-04-01", "2025-03-01", "2025-02-03", "2025-01-02"),
                    d.getList("quickActions.recentActivity.transactions.date"));
            assertEquals(List.of(r, a), d.getList("quickActions.recentActivity.upcomingDividends.symbol"));
            assertNumber("10", d, "quickActions.recentActivity.upcomingDividends[0].expectedAmount");  // 100 x 0.1
            assertNumber("60", d, "quickActions.recentActivity.upcomingDividends[1].expectedAmount");  // 160 x 0.375
            assertEquals("projected", d.getString("quickActions.recentActivity.upcomingDividends[0].status"));
            assertNumber("0.375", d, "quickActions.recentActivity.upcomingDividends[1].amountPerShare");
            assertFalse(d.getList("quickActions.shortcuts").isEmpty());

            assertEquals("2026-11-20", d.getString("metadata.asOf"));
            assertNumber("300", d, "metadata.refreshInterval");
            assertEquals("miss", d.getString("metadata.cacheStatus")); // the first call, or the one after a retry's invalidation

            // One portfolio: only A and R, 4000 + 2000 = 6000; its marts (none here) give null returns.
            JsonPath scoped = dashboard(token, main);
            assertNumber("6000", scoped, "performanceCommand.portfolioValue");
            assertEquals(List.of(a, r).stream().sorted().toList(), scoped.getList("performanceCommand.holdingsBreakdown.symbol"));
            assertNull(scoped.get("performanceCommand.portfolioVsSpy.periods.1m.portfolio"));
            assertNull(scoped.get("performanceCommand.moneyWeightedReturn.annualized"));
        });
    }

    @Test
    void shouldAnswerNullsWhereNothingCanBeComputed() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        // A benchmark the marts do not know: no as-of date.
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("benchmark", TestSupport.uniqueSymbol()))
                .put("/api/v1/profile").then().statusCode(200);
        JsonPath d = dashboard(token, null);
        assertNumber("0", d, "performanceCommand.portfolioValue");
        assertNull(d.get("performanceCommand.asOf"));
        assertEquals(List.of(), d.getList("performanceCommand.holdingsBreakdown"));
        for (String period : List.of("1m", "3m", "6m", "1y", "2y", "5y", "max")) {
            assertNull(d.get("performanceCommand.portfolioVsSpy.periods." + period + ".portfolio"));
            assertNull(d.get("performanceCommand.portfolioVsSpy.periods." + period + ".outperformance"));
        }
        assertNull(d.get("performanceCommand.moneyWeightedReturn.annualized"));
        assertNull(d.get("performanceCommand.moneyWeightedReturn.since"));
        assertNumber("0", d, "incomeIntelligence.monthlyFlow.forwardAnnualIncome");
        assertNull(d.get("incomeIntelligence.monthlyFlow.portfolioYield"));
        assertNull(d.get("lifestyleTracker.expenseCoverage.coverageRatio"));
        assertNull(d.get("lifestyleTracker.fireProgress.fireNumber"));
        assertNull(d.get("lifestyleTracker.fireProgress.progressRatio"));
        assertNull(d.get("lifestyleTracker.fireProgress.nextMilestone"));
        assertNull(d.get("strategyOptimizer.recommendations.score"));
        assertNull(d.get("strategyOptimizer.riskAnalysis.riskScore"));
        assertNull(d.get("strategyOptimizer.riskAnalysis.hhi"));
        assertNull(d.get("strategyOptimizer.riskAnalysis.topPositionWeight"));
        assertEquals(List.of(), d.getList("quickActions.recentActivity.upcomingDividends"));
        String raw = given().auth().oauth2(token).get("/api/v1/dashboard").then().extract().asString();
        assertFalse(raw.contains("NaN"), "no NaN anywhere");
    }

    @Test
    void shouldTakeTheAsOfDateFromHeldSymbolsOnlyAndLeaveSoldOutOnesOut() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        String held = TestSupport.uniqueSymbol();
        String soldOut = TestSupport.uniqueSymbol();
        // The benchmark is unknown to the marts and there is no portfolio summary: the as-of date is the newest
        // price date of what is held (2026-11-18), not that of the sold-out symbol (2026-11-20), which the one
        // statement also reads (it reads every symbol of the ledger).
        TestSupport.stock(held, "stock", "Energy", "30", LocalDate.of(2026, 11, 18), "2");
        TestSupport.stock(soldOut, "stock", "Energy", "50", LocalDate.of(2026, 11, 20), "1");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("benchmark", TestSupport.uniqueSymbol()))
                .put("/api/v1/profile").then().statusCode(200);
        String main = portfolio(token, "Main");
        buy(token, main, "BUY", held, "2025-01-02", "10", "20", null);
        buy(token, main, "BUY", soldOut, "2025-01-02", "5", "40", null);
        buy(token, main, "SELL", soldOut, "2025-02-03", "5", "45", null);
        // Calendar rows of both, paid after 2026-11-17. Upcoming dividends need the benchmark's close date or the marts'
        // as-of: the main portfolio's summary has 2026-11-17, the all-portfolios scope has none.
        TestSupport.dividend(held, LocalDate.of(2026, 11, 25), LocalDate.of(2026, 12, 1), "0.5", "announced");
        TestSupport.dividend(soldOut, LocalDate.of(2026, 11, 24), LocalDate.of(2026, 11, 30), "0.25", "announced");
        TestSupport.summary(user, UUID.fromString(main), "SPY", LocalDate.of(2026, 11, 17), LocalDate.of(2025, 1, 2), "0.01");

        TestSupport.retryingIfMartsWereReplaced(() -> {
            JsonPath d = dashboard(token, null);
            assertEquals("2026-11-18", d.getString("performanceCommand.asOf"));
            assertEquals(List.of(held), d.getList("performanceCommand.holdingsBreakdown.symbol"));
            assertNumber("300", d, "performanceCommand.portfolioValue");                 // 10 x 30
            assertNumber("20", d, "incomeIntelligence.monthlyFlow.forwardAnnualIncome"); // 10 x 2
            assertEquals(List.of(), d.getList("quickActions.recentActivity.upcomingDividends"));
            assertEquals(3, d.getList("quickActions.recentActivity.transactions").size());

            // The portfolio's own marts: as-of 2026-11-17; of the two rows paid in (2026-11-17, 2026-12-17] only the held
            // symbol's is upcoming: 10 x 0.5 = 5.
            JsonPath scoped = dashboard(token, main);
            assertEquals("2026-11-17", scoped.getString("performanceCommand.asOf"));
            assertEquals(List.of(held), scoped.getList("quickActions.recentActivity.upcomingDividends.symbol"));
            assertNumber("5", scoped, "quickActions.recentActivity.upcomingDividends[0].expectedAmount");
            assertNumber("0.01", scoped, "performanceCommand.moneyWeightedReturn.annualized");
        });
    }

    @Test
    void shouldRefuseAnotherUsersPortfolioAndAMissingToken() {
        String owner = TestSupport.token(UUID.randomUUID());
        String portfolio = portfolio(owner, "Private");
        given().auth().oauth2(TestSupport.token(UUID.randomUUID())).queryParam("portfolioId", portfolio)
                .get("/api/v1/dashboard").then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(owner).queryParam("portfolioId", "nope").get("/api/v1/dashboard").then().statusCode(404);
        given().get("/api/v1/dashboard").then().statusCode(401);
        given().auth().oauth2(owner).queryParam("portfolioId", portfolio).get("/api/v1/dashboard").then().statusCode(200);
    }
}
