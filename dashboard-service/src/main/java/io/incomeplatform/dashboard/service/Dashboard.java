package io.incomeplatform.dashboard.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The five-card dashboard (contract.md, GET /api/v1/dashboard). Serialized with Jackson outside
 * RESTEasy (it is cached as JSON text), hence registered for reflection for native builds.
 */
@RegisterForReflection(targets = {
        Dashboard.class, Dashboard.PerformanceCommand.class, Dashboard.BenchmarkComparison.class, Dashboard.PeriodReturn.class,
        Dashboard.MoneyWeightedReturn.class, Dashboard.Holding.class, Dashboard.IncomeIntelligence.class, Dashboard.MonthlyFlow.class,
        Dashboard.TaxSuggestion.class, Dashboard.LifestyleTracker.class, Dashboard.ExpenseCoverage.class, Dashboard.FireProgress.class,
        Dashboard.Milestone.class, Dashboard.NextMilestone.class, Dashboard.StrategyOptimizer.class, Dashboard.Recommendations.class,
        Dashboard.ScoreInputs.class, Dashboard.Rebalancing.class, Dashboard.Suggestion.class, Dashboard.RiskAnalysis.class,
        Dashboard.QuickActions.class, Dashboard.RecentActivity.class, Dashboard.RecentTransaction.class, Dashboard.UpcomingDividend.class,
        Dashboard.Shortcut.class, Dashboard.Metadata.class})
@JsonPropertyOrder({"performanceCommand", "incomeIntelligence", "lifestyleTracker", "strategyOptimizer", "quickActions", "metadata"})
public record Dashboard(PerformanceCommand performanceCommand, IncomeIntelligence incomeIntelligence, LifestyleTracker lifestyleTracker,
                        StrategyOptimizer strategyOptimizer, QuickActions quickActions, Metadata metadata) {

    public record PerformanceCommand(BigDecimal portfolioValue, LocalDate asOf, BenchmarkComparison portfolioVsSpy,
                                     MoneyWeightedReturn moneyWeightedReturn, List<Holding> holdingsBreakdown) {
    }

    /** Time-weighted returns per period, next to the benchmark's. */
    public record BenchmarkComparison(String benchmark, String method, Map<String, PeriodReturn> periods) {
    }

    public record PeriodReturn(BigDecimal portfolio, BigDecimal benchmark, BigDecimal outperformance, LocalDate startDate) {
    }

    /** Annualised XIRR since the first transaction: a different measure from the time-weighted returns above. */
    public record MoneyWeightedReturn(BigDecimal annualized, LocalDate since, String method) {
    }

    public record Holding(String symbol, String name, String assetType, String sector, BigDecimal shares, BigDecimal price,
                          BigDecimal value, BigDecimal weight, BigDecimal costBasis, BigDecimal unrealizedGain, BigDecimal unrealizedReturn,
                          BigDecimal forwardAnnualIncome, BigDecimal taxRate) {
    }

    public record IncomeIntelligence(MonthlyFlow monthlyFlow, List<TaxSuggestion> taxOptimization) {
    }

    public record MonthlyFlow(BigDecimal forwardAnnualIncome, BigDecimal grossMonthlyIncome, BigDecimal taxOwedMonthly,
                              BigDecimal netMonthlyIncome, BigDecimal monthlyExpenses, BigDecimal afterExpensesMonthly,
                              BigDecimal reinvestmentAvailable, BigDecimal portfolioYield) {
    }

    public record TaxSuggestion(String symbol, String rule, String suggestion, BigDecimal estimatedAnnualSavings) {
    }

    public record LifestyleTracker(ExpenseCoverage expenseCoverage, FireProgress fireProgress) {
    }

    public record ExpenseCoverage(BigDecimal monthlyExpenses, BigDecimal netMonthlyIncome, BigDecimal coverageRatio) {
    }

    public record FireProgress(BigDecimal fireNumber, String fireNumberSource, BigDecimal withdrawalRate, BigDecimal portfolioValue,
                               BigDecimal progressRatio, List<Milestone> milestones, NextMilestone nextMilestone) {
    }

    public record Milestone(String category, BigDecimal monthlyAmount, BigDecimal cumulativeAmount, boolean achieved) {
    }

    public record NextMilestone(String category, BigDecimal additionalMonthlyIncomeNeeded) {
    }

    public record StrategyOptimizer(Recommendations recommendations, RiskAnalysis riskAnalysis) {
    }

    public record Recommendations(BigDecimal score, ScoreInputs scoreInputs, BigDecimal rebalanceThreshold,
                                  List<Rebalancing> rebalancing, List<Suggestion> suggestions) {
    }

    /** The three components of the strategy score (README: score = 100 x mean of the non-null ones). */
    public record ScoreInputs(BigDecimal diversification, BigDecimal allocationFit, BigDecimal incomeCoverage) {
    }

    public record Rebalancing(String key, String kind, BigDecimal actualWeight, BigDecimal targetWeight, BigDecimal drift,
                              String action, BigDecimal amount) {
    }

    public record Suggestion(String kind, String detail) {
    }

    /** riskScore = 100 x (0.5 hhi + 0.25 topPositionWeight + 0.25 topSectorWeight), rounded (README). */
    public record RiskAnalysis(BigDecimal riskScore, BigDecimal hhi, BigDecimal topPositionWeight, String topPosition,
                               BigDecimal topSectorWeight, String topSector, Map<String, BigDecimal> sectorWeights) {
    }

    public record QuickActions(RecentActivity recentActivity, List<Shortcut> shortcuts) {
    }

    public record RecentActivity(List<RecentTransaction> transactions, List<UpcomingDividend> upcomingDividends) {
    }

    public record RecentTransaction(UUID id, UUID portfolioId, String type, String symbol, LocalDate date, BigDecimal shares,
                                    BigDecimal price, BigDecimal fee, Instant createdAt) {
    }

    public record UpcomingDividend(String symbol, LocalDate exDate, LocalDate payDate, BigDecimal amountPerShare,
                                   BigDecimal shares, BigDecimal expectedAmount, String type, String status) {
    }

    public record Shortcut(String action, String href) {
    }

    /** cacheStatus is left out of the cached JSON and appended per response (hit, miss or stale), so it comes last. */
    @JsonPropertyOrder({"lastUpdated", "asOf", "scope", "refreshInterval", "cacheStatus"})
    public record Metadata(Instant lastUpdated, LocalDate asOf, String scope, long refreshInterval,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String cacheStatus) {
    }
}
