package io.incomeplatform.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.dashboard.service.Dashboard;
import io.incomeplatform.dashboard.service.Dashboard.*;
import io.incomeplatform.dashboard.service.DashboardJson;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The dashboard's hand-written JSON (service/DashboardJson) must be the bytes the application's
 * ObjectMapper writes for the same Dashboard: the cached JSON, its ETag and every response depend on them.
 */
@QuarkusTest
class DashboardJsonTest {

    @Inject
    ObjectMapper mapper;

    private String written(Dashboard dashboard) {
        return new String(new DashboardJson(mapper.getFactory()).write(dashboard), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteAFullDashboardAsTheObjectMapperDoes() throws Exception {
        Dashboard dashboard = full("hit");
        assertThat(written(dashboard), equalTo(mapper.writeValueAsString(dashboard)));
    }

    @Test
    void shouldWriteADashboardWithoutCacheStatusOrOptionalValuesAsTheObjectMapperDoes() throws Exception {
        Dashboard dashboard = sparse();
        assertThat(written(dashboard), equalTo(mapper.writeValueAsString(dashboard)));
    }

    @Test
    void shouldWriteDashboardsLongerThanTheGeneratorsBufferAsTheObjectMapperDoes() throws Exception {
        // Holdings of 34-digit weights (and values of a double's exact ~50 digits, printed the JDK's way), their
        // names one character longer on each pass: every byte of a number lands at the end of the generator's
        // output buffer on some pass, where it takes the generator's slower way. Dates of years 999 and 10000
        // are written the JDK's way.
        Dashboard base = full("miss");
        PerformanceCommand performance = base.performanceCommand();
        for (int padding = 0; padding < 40; padding++) {
            List<Holding> holdings = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                holdings.add(new Holding("S" + i, "Stock " + "x".repeat(padding), "stock", "Energy", new BigDecimal(i + 1),
                        new BigDecimal("12.34"), new BigDecimal(12.34 * (i + 1)),
                        new BigDecimal(java.math.BigInteger.TEN.pow(33).add(java.math.BigInteger.valueOf(i * 7919L)), 36),
                        new BigDecimal("-" + i + ".5"), null, new BigDecimal("1E-" + (i % 40)), BigDecimal.ZERO, new BigDecimal("0.15")));
            }
            Dashboard dashboard = new Dashboard(new PerformanceCommand(performance.portfolioValue(), LocalDate.of(999, 1, 2),
                    performance.portfolioVsSpy(), new MoneyWeightedReturn(BigDecimal.ONE, LocalDate.of(10000, 12, 31), "money-weighted"),
                    holdings), base.incomeIntelligence(), base.lifestyleTracker(), base.strategyOptimizer(), base.quickActions(), base.metadata());
            String json = written(dashboard);
            assertThat(json.length() > 40_000, equalTo(true));
            assertThat(json, equalTo(mapper.writeValueAsString(dashboard)));
        }
    }

    @Test
    void shouldWriteMissingCardsAsNulls() throws Exception {
        Dashboard dashboard = new Dashboard(null, null, null, null, null, null);
        assertThat(written(dashboard), equalTo("{\"performanceCommand\":null,\"incomeIntelligence\":null,\"lifestyleTracker\":null,"
                + "\"strategyOptimizer\":null,\"quickActions\":null,\"metadata\":null}"));
        assertThat(written(dashboard), equalTo(mapper.writeValueAsString(dashboard)));
    }

    @Test
    void shouldWriteMoneyPlainDatesAsIsoTextAndLeaveOutAnUnsetCacheStatus() {
        // 1.2505E+3 is 1250.5 written plainly; 5E+1 = 50; the instant and date as ISO-8601 text.
        Dashboard dashboard = new Dashboard(
                new PerformanceCommand(new BigDecimal("1.2505E+3"), LocalDate.of(2026, 11, 20), null, null, List.of()),
                null, null, null, null,
                new Metadata(Instant.parse("2026-11-22T14:30:05.120Z"), LocalDate.of(2026, 11, 20), "all", 300, null));
        assertThat(written(dashboard), equalTo("{\"performanceCommand\":{\"portfolioValue\":1250.5,\"asOf\":\"2026-11-20\","
                + "\"portfolioVsSpy\":null,\"moneyWeightedReturn\":null,\"holdingsBreakdown\":[]},\"incomeIntelligence\":null,"
                + "\"lifestyleTracker\":null,\"strategyOptimizer\":null,\"quickActions\":null,"
                + "\"metadata\":{\"lastUpdated\":\"2026-11-22T14:30:05.120Z\",\"asOf\":\"2026-11-20\",\"scope\":\"all\",\"refreshInterval\":300}}"));
    }

    @Test
    void shouldEscapeTextAsJsonRequires() {
        Dashboard dashboard = new Dashboard(null, null, null, null,
                new QuickActions(null, List.of(new Shortcut("say \"hi\"\n", "/a\\b é"))), null);
        assertThat(written(dashboard), equalTo("{\"performanceCommand\":null,\"incomeIntelligence\":null,\"lifestyleTracker\":null,"
                + "\"strategyOptimizer\":null,\"quickActions\":{\"recentActivity\":null,\"shortcuts\":[{\"action\":\"say \\\"hi\\\"\\n\","
                + "\"href\":\"/a\\\\b é\"}]},\"metadata\":null}"));
    }

    /** Every component set, with values that exercise number (long ones too), date and text formatting. */
    private static Dashboard full(String cacheStatus) {
        Map<String, PeriodReturn> periods = new LinkedHashMap<>();
        periods.put("1m", new PeriodReturn(new BigDecimal("0.0123"), new BigDecimal("-0.004"), new BigDecimal("0.0163"), LocalDate.of(2026, 10, 20)));
        periods.put("max", new PeriodReturn(null, new BigDecimal("1E-7"), null, null));
        Holding holding = new Holding("ABC", "A \"quoted\" name, ünïcode ✓", "reit", "Real Estate", new BigDecimal("12.5"),
                new BigDecimal("1E+2"), new BigDecimal("1250.000"), new BigDecimal("0.3333333333333333333333333333333333"),
                new BigDecimal("1000"), new BigDecimal("250.000"), new BigDecimal("0.25"), new BigDecimal("37.5"), new BigDecimal("0.3"));
        Holding unpriced = new Holding("XYZ", null, null, "Unknown", new BigDecimal("3"), null, null, null, new BigDecimal("30"),
                null, null, BigDecimal.ZERO, new BigDecimal("0.15"));
        Map<String, BigDecimal> sectors = new TreeMap<>(Map.of("Real Estate", new BigDecimal("0.7499999999999999999999999999999999"),
                "Unknown", new BigDecimal("0.2500000000000000000000000000000001")));
        return new Dashboard(
                new PerformanceCommand(new BigDecimal("3750.000"), LocalDate.of(2026, 11, 20),
                        new BenchmarkComparison("SPY", "time-weighted", periods),
                        new MoneyWeightedReturn(new BigDecimal("-0.06666666666666666666666666666666667"), LocalDate.of(2020, 1, 2), "money-weighted"),
                        List.of(holding, unpriced)),
                new IncomeIntelligence(
                        new MonthlyFlow(new BigDecimal("37.5"), new BigDecimal("3.125"), new BigDecimal("0.9375"), new BigDecimal("2.1875"),
                                new BigDecimal("100"), new BigDecimal("-97.8125"), BigDecimal.ZERO, new BigDecimal("0.01")),
                        List.of(new TaxSuggestion("ABC", "tax-advantaged-account", "Hold ABC in an IRA.", new BigDecimal("11.25")))),
                new LifestyleTracker(new ExpenseCoverage(new BigDecimal("100"), new BigDecimal("2.1875"), new BigDecimal("0.021875")),
                        new FireProgress(new BigDecimal("30000"), "expenses/withdrawalRate", new BigDecimal("0.04"), new BigDecimal("3750.000"),
                                new BigDecimal("0.125"), List.of(new Milestone("rent", new BigDecimal("100"), new BigDecimal("100"), false),
                                new Milestone("food", BigDecimal.ONE, new BigDecimal("101"), true)),
                                new NextMilestone("rent", new BigDecimal("97.8125")))),
                new StrategyOptimizer(
                        new Recommendations(new BigDecimal("47"), new ScoreInputs(new BigDecimal("0.625"), null, new BigDecimal("0.021875")),
                                new BigDecimal("0.05"), List.of(new Rebalancing("sector:Energy", "sector", BigDecimal.ZERO, new BigDecimal("0.1"),
                                new BigDecimal("-0.1"), "BUY", new BigDecimal("1.2345678901234567890123E+25"))),
                                List.of(new Suggestion("concentration", "ABC is 33.3 % of the portfolio, above 20.0 %."))),
                        new RiskAnalysis(new BigDecimal("56"), new BigDecimal("0.375"), new BigDecimal("0.75"), "ABC", new BigDecimal("0.75"),
                                "Real Estate", sectors)),
                new QuickActions(
                        new RecentActivity(List.of(new RecentTransaction(UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
                                UUID.fromString("00000000-0000-0000-0000-00000000000a"), "BUY", "ABC", LocalDate.of(2026, 1, 5),
                                new BigDecimal("12.5"), new BigDecimal("80"), null, Instant.parse("2026-01-05T15:04:05.123456Z"))),
                                List.of(new UpcomingDividend("ABC", LocalDate.of(2026, 11, 28), null, new BigDecimal("0.75"), new BigDecimal("12.5"),
                                        new BigDecimal("9.375"), "regular", "declared"))),
                        List.of(new Shortcut("edit-profile", "/api/v1/profile"))),
                new Metadata(Instant.parse("2026-11-22T14:30:00Z"), LocalDate.of(2026, 11, 20), "all", 300, cacheStatus));
    }

    /** Nullable components null and the lists empty, as for a user without holdings. */
    private static Dashboard sparse() {
        return new Dashboard(
                new PerformanceCommand(BigDecimal.ZERO, null, new BenchmarkComparison("SPY", "time-weighted", Map.of()),
                        new MoneyWeightedReturn(null, null, "money-weighted"), List.of()),
                new IncomeIntelligence(new MonthlyFlow(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                        BigDecimal.ZERO, BigDecimal.ZERO, null), List.of()),
                new LifestyleTracker(new ExpenseCoverage(BigDecimal.ZERO, BigDecimal.ZERO, null),
                        new FireProgress(null, null, new BigDecimal("0.04"), BigDecimal.ZERO, null, List.of(), null)),
                new StrategyOptimizer(new Recommendations(null, new ScoreInputs(null, null, null), new BigDecimal("0.05"), List.of(), List.of()),
                        new RiskAnalysis(null, null, null, null, null, null, Map.of())),
                new QuickActions(new RecentActivity(List.of(), List.of()), List.of()),
                new Metadata(Instant.parse("2026-11-22T14:30:00.5Z"), null, UUID.fromString("00000000-0000-0000-0000-00000000000a").toString(), 0, null));
    }
}
