package io.incomeplatform.dashboard.service;

import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository.CalendarRow;
import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository.Performance;
import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository.Snapshot;
import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository.Stock;
import io.incomeplatform.dashboard.service.Dashboard.*;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds the five cards from one snapshot, every number as calculations.md defines it. Pure: no I/O,
 * no clock except the lastUpdated it is given. A value that cannot be computed is null.
 */
public final class DashboardCalculator {

    public static final List<String> PERIODS = List.of("1m", "3m", "6m", "1y", "2y", "5y", "max");
    static final MathContext MC = MathContext.DECIMAL128;
    public static final int RECENT_TRANSACTIONS = 10;
    static final BigDecimal TWELVE = BigDecimal.valueOf(12);
    static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    /** A position above this weight earns a concentration suggestion. */
    static final BigDecimal POSITION_CONCENTRATION = new BigDecimal("0.20");
    /** A sector above this weight earns a concentration suggestion. */
    static final BigDecimal SECTOR_CONCENTRATION = new BigDecimal("0.40");
    static final String UNKNOWN_SECTOR = "Unknown";

    private DashboardCalculator() {
    }

    public static Dashboard compute(Snapshot s, UUID portfolioId, Instant lastUpdated, long refreshIntervalSeconds) {
        Profile profile = s.profile();
        List<Holdings.Position> positions = s.ledger().positions();

        // Holdings breakdown: value = shares x latest price; a holding without a price has null value and weight
        // and is left out of the portfolio value.
        BigDecimal portfolioValue = BigDecimal.ZERO;
        for (Holdings.Position p : positions) {
            Stock stock = s.stocks().get(p.symbol());
            if (stock != null && stock.price() != null) {
                portfolioValue = portfolioValue.add(p.shares().multiply(stock.price()));
            }
        }
        List<Holding> holdings = new ArrayList<>(positions.size());
        BigDecimal forwardAnnualIncome = BigDecimal.ZERO;
        // Sums kept exact and divided once (one rounding instead of one per holding, and a division is
        // most of what a holding costs): sum of income x tax rate, over 12 = the sum of monthly income x rate;
        // sum of values squared, over the portfolio value squared = the sum of squared weights (hhi).
        BigDecimal annualTaxOwed = BigDecimal.ZERO;
        BigDecimal sumOfSquaredValues = BigDecimal.ZERO;
        // Holdings of one asset type often follow each other: the last type's rate is kept.
        String lastAssetType = null;
        BigDecimal lastTaxRate = profile.taxRateFor(null);
        for (Holdings.Position p : positions) {
            Stock stock = s.stocks().get(p.symbol());
            BigDecimal price = stock == null ? null : stock.price();
            BigDecimal value = price == null ? null : p.shares().multiply(price);
            BigDecimal weight = divide(value, portfolioValue);
            if (weight != null) {
                sumOfSquaredValues = sumOfSquaredValues.add(value.multiply(value));
            }
            BigDecimal gain = value == null ? null : value.subtract(p.costBasis());
            BigDecimal unrealizedReturn = value == null ? null : minusOne(divide(value, p.costBasis()));
            BigDecimal annualIncome = stock == null || stock.forwardDividend() == null ? BigDecimal.ZERO
                    : p.shares().multiply(stock.forwardDividend());
            String assetType = stock == null ? null : stock.assetType();
            if (!Objects.equals(assetType, lastAssetType)) {
                lastAssetType = assetType;
                lastTaxRate = profile.taxRateFor(assetType);
            }
            BigDecimal taxRate = lastTaxRate;
            forwardAnnualIncome = forwardAnnualIncome.add(annualIncome);
            annualTaxOwed = annualTaxOwed.add(annualIncome.multiply(taxRate));
            holdings.add(new Holding(p.symbol(), stock == null ? null : stock.name(), stock == null ? null : stock.assetType(),
                    sectorOf(stock), p.shares(), price, value, weight, p.costBasis(), gain, unrealizedReturn, annualIncome, taxRate));
        }

        // Monthly flow.
        BigDecimal grossMonthly = forwardAnnualIncome.divide(TWELVE, MC);
        BigDecimal taxOwedMonthly = annualTaxOwed.divide(TWELVE, MC);
        BigDecimal netMonthly = grossMonthly.subtract(taxOwedMonthly);
        BigDecimal monthlyExpenses = profile.expenses().stream().map(Profile.Expense::monthlyAmount).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal afterExpenses = netMonthly.subtract(monthlyExpenses);
        MonthlyFlow flow = new MonthlyFlow(forwardAnnualIncome, grossMonthly, taxOwedMonthly, netMonthly, monthlyExpenses,
                afterExpenses, afterExpenses.max(BigDecimal.ZERO), divide(forwardAnnualIncome, portfolioValue));

        // Lifestyle.
        BigDecimal coverage = divide(netMonthly, monthlyExpenses);
        BigDecimal fireNumber;
        String fireNumberSource;
        if (profile.fireNumber() != null) {
            fireNumber = profile.fireNumber();
            fireNumberSource = "profile";
        } else if (monthlyExpenses.signum() > 0) {
            fireNumber = TWELVE.multiply(monthlyExpenses).divide(profile.withdrawalRate(), MC);
            fireNumberSource = "expenses/withdrawalRate";
        } else {
            fireNumber = null;
            fireNumberSource = null;
        }
        List<Milestone> milestones = new ArrayList<>();
        NextMilestone next = null;
        BigDecimal cumulative = BigDecimal.ZERO;
        for (Profile.Expense e : profile.expenses()) {
            cumulative = cumulative.add(e.monthlyAmount());
            boolean achieved = netMonthly.compareTo(cumulative) >= 0;
            milestones.add(new Milestone(e.category(), e.monthlyAmount(), cumulative, achieved));
            if (!achieved && next == null) {
                next = new NextMilestone(e.category(), cumulative.subtract(netMonthly));
            }
        }
        LifestyleTracker lifestyle = new LifestyleTracker(new ExpenseCoverage(monthlyExpenses, netMonthly, coverage),
                new FireProgress(fireNumber, fireNumberSource, profile.withdrawalRate(), portfolioValue,
                        divide(portfolioValue, fireNumber), milestones, next));

        // Strategy: weights by symbol and sector.
        Map<String, BigDecimal> symbolWeights = HashMap.newHashMap(holdings.size());
        Map<String, BigDecimal> sectorWeights = new HashMap<>();
        for (Holding h : holdings) {
            if (h.weight() != null) {
                symbolWeights.put(h.symbol(), h.weight());
                sectorWeights.merge(h.sector(), h.weight(), BigDecimal::add);
            }
        }
        boolean weighted = !symbolWeights.isEmpty();
        List<Rebalancing> rebalancing = new ArrayList<>();
        BigDecimal totalAbsDrift = BigDecimal.ZERO;
        if (weighted) {
            for (Map.Entry<String, BigDecimal> target : profile.targetAllocation().entrySet()) {
                String key = target.getKey();
                int colon = key.indexOf(':');
                String kind = key.substring(0, colon);
                String name = key.substring(colon + 1);
                BigDecimal actual = "symbol".equals(kind)
                        ? symbolWeights.getOrDefault(name.toUpperCase(Locale.ROOT), BigDecimal.ZERO)
                        : sectorWeights.getOrDefault(name, BigDecimal.ZERO);
                BigDecimal drift = actual.subtract(target.getValue());
                totalAbsDrift = totalAbsDrift.add(drift.abs());
                if (drift.abs().compareTo(profile.rebalanceThreshold()) > 0) {
                    rebalancing.add(new Rebalancing(key, kind, actual, target.getValue(), drift, drift.signum() > 0 ? "SELL" : "BUY",
                            drift.abs().multiply(portfolioValue)));
                }
            }
        }
        BigDecimal hhi = weighted ? sumOfSquaredValues.divide(portfolioValue.multiply(portfolioValue), MC) : null;
        Map.Entry<String, BigDecimal> topPosition = largest(symbolWeights);
        Map.Entry<String, BigDecimal> topSector = largest(sectorWeights);
        // Summed in a hash map (a merge per holding), listed by name.
        sectorWeights = new TreeMap<>(sectorWeights);
        BigDecimal riskScore = hhi == null ? null : HUNDRED.multiply(new BigDecimal("0.5").multiply(hhi)
                        .add(new BigDecimal("0.25").multiply(topPosition.getValue()))
                        .add(new BigDecimal("0.25").multiply(topSector.getValue())))
                .setScale(0, RoundingMode.HALF_UP);

        ScoreInputs inputs = new ScoreInputs(
                hhi == null ? null : BigDecimal.ONE.subtract(hhi),
                !weighted || profile.targetAllocation().isEmpty() ? null : BigDecimal.ONE.subtract(totalAbsDrift.min(BigDecimal.ONE)),
                coverage == null ? null : coverage.max(BigDecimal.ZERO).min(BigDecimal.ONE));
        BigDecimal score = hhi == null ? null : score(inputs);

        List<Suggestion> suggestions = new ArrayList<>();
        if (topPosition != null && topPosition.getValue().compareTo(POSITION_CONCENTRATION) > 0) {
            suggestions.add(new Suggestion("concentration", topPosition.getKey() + " is " + percent(topPosition.getValue())
                    + " of the portfolio, above " + percent(POSITION_CONCENTRATION) + "."));
        }
        if (topSector != null && topSector.getValue().compareTo(SECTOR_CONCENTRATION) > 0) {
            suggestions.add(new Suggestion("sector-concentration", topSector.getKey() + " is " + percent(topSector.getValue())
                    + " of the portfolio, above " + percent(SECTOR_CONCENTRATION) + "."));
        }
        for (Rebalancing r : rebalancing) {
            suggestions.add(new Suggestion("rebalance", r.action() + " " + r.amount().setScale(2, RoundingMode.HALF_UP).toPlainString()
                    + " of " + r.key() + " to move from " + percent(r.actualWeight()) + " to the target " + percent(r.targetWeight()) + "."));
        }
        if (flow.reinvestmentAvailable().signum() > 0) {
            suggestions.add(new Suggestion("reinvest", flow.reinvestmentAvailable().setScale(2, RoundingMode.HALF_UP).toPlainString()
                    + " of monthly income is left after expenses and can be reinvested."));
        }

        StrategyOptimizer strategy = new StrategyOptimizer(
                new Recommendations(score, inputs, profile.rebalanceThreshold(), rebalancing, suggestions),
                new RiskAnalysis(riskScore, hhi, topPosition == null ? null : topPosition.getValue(),
                        topPosition == null ? null : topPosition.getKey(), topSector == null ? null : topSector.getValue(),
                        topSector == null ? null : topSector.getKey(), sectorWeights));

        IncomeIntelligence income = new IncomeIntelligence(flow, taxSuggestions(holdings, profile));

        // Performance from the portfolio marts (time-weighted), and the money-weighted return.
        Map<String, PeriodReturn> periods = new LinkedHashMap<>();
        Map<String, Performance> byPeriod = new TreeMap<>();
        s.performance().forEach(p -> byPeriod.put(p.period(), p));
        for (String period : PERIODS) {
            Performance p = byPeriod.get(period);
            BigDecimal portfolioReturn = p == null ? null : p.portfolioReturn();
            BigDecimal benchmarkReturn = p == null ? null : p.benchmarkReturn();
            BigDecimal outperformance = portfolioReturn == null || benchmarkReturn == null ? null : portfolioReturn.subtract(benchmarkReturn);
            periods.put(period, new PeriodReturn(portfolioReturn, benchmarkReturn, outperformance, p == null ? null : p.startDate()));
        }
        MoneyWeightedReturn mwr = new MoneyWeightedReturn(s.summary() == null ? null : s.summary().mwrAnnualized(),
                s.summary() != null && s.summary().firstTransactionDate() != null ? s.summary().firstTransactionDate()
                        : s.ledger().firstTradeDate(),
                "money-weighted (annualised XIRR of the cash flows since the first transaction)");
        PerformanceCommand performance = new PerformanceCommand(portfolioValue, s.asOf(),
                new BenchmarkComparison(profile.benchmark(), "time-weighted", periods), mwr, holdings);

        // Recent activity.
        List<RecentTransaction> recent = new ArrayList<>(RECENT_TRANSACTIONS);
        for (LedgerEntry e : s.ledger().recent()) {
            recent.add(new RecentTransaction(e.id(), e.portfolioId(), e.type(), e.symbol(), e.date(), e.shares(), e.price(), e.fee(), e.createdAt()));
        }
        Map<String, BigDecimal> sharesNow = HashMap.newHashMap(positions.size());
        positions.forEach(p -> sharesNow.put(p.symbol(), p.shares()));
        List<UpcomingDividend> upcoming = new ArrayList<>();
        for (CalendarRow row : s.upcomingDividends()) {
            BigDecimal shares = sharesNow.get(row.symbol());
            if (shares != null) {
                upcoming.add(new UpcomingDividend(row.symbol(), row.exDate(), row.payDate(), row.amount(), shares,
                        shares.multiply(row.amount()), row.type(), row.status()));
            }
        }
        String ledgerHref = portfolioId == null ? "/api/v1/portfolios" : "/api/v1/portfolios/" + portfolioId + "/transactions";
        List<Shortcut> shortcuts = List.of(
                new Shortcut("add-transaction", ledgerHref),
                new Shortcut("import-transactions", portfolioId == null ? "/api/v1/portfolios" : ledgerHref + "/import"),
                new Shortcut("edit-profile", "/api/v1/profile"),
                new Shortcut("dividend-calendar", "/api/v1/dividends/calendar"),
                new Shortcut("screener", "/api/v1/screener"));

        return new Dashboard(performance, income, lifestyle, strategy,
                new QuickActions(new RecentActivity(recent, upcoming), shortcuts),
                new Metadata(lastUpdated, s.asOf(), portfolioId == null ? "all" : portfolioId.toString(), refreshIntervalSeconds, null));
    }

    /**
     * Rule-based tax suggestions (README): a holding taxed above the general rate belongs in a
     * tax-advantaged account (saves its annual income x its rate); a holding below its cost can be sold
     * to harvest the loss (saves the loss x the general rate). Largest saving first.
     */
    static List<TaxSuggestion> taxSuggestions(List<Holding> holdings, Profile profile) {
        List<TaxSuggestion> suggestions = new ArrayList<>();
        for (Holding h : holdings) {
            if (h.taxRate().compareTo(profile.taxRate()) > 0 && h.forwardAnnualIncome().signum() > 0) {
                suggestions.add(new TaxSuggestion(h.symbol(), "tax-advantaged-account",
                        "Hold " + h.symbol() + " (" + h.assetType() + ", income taxed at " + percent(h.taxRate())
                                + ") in a tax-advantaged account.",
                        h.forwardAnnualIncome().multiply(h.taxRate())));
            }
            if (h.unrealizedGain() != null && h.unrealizedGain().signum() < 0) {
                suggestions.add(new TaxSuggestion(h.symbol(), "tax-loss-harvesting",
                        "Sell " + h.symbol() + " to realise its loss of " + h.unrealizedGain().negate().setScale(2, RoundingMode.HALF_UP).toPlainString()
                                + " against gains.",
                        h.unrealizedGain().negate().multiply(profile.taxRate())));
            }
        }
        suggestions.sort(Comparator.comparing(TaxSuggestion::estimatedAnnualSavings).reversed().thenComparing(TaxSuggestion::symbol));
        return suggestions;
    }

    private static BigDecimal score(ScoreInputs inputs) {
        List<BigDecimal> parts = new ArrayList<>();
        for (BigDecimal part : new BigDecimal[]{inputs.diversification(), inputs.allocationFit(), inputs.incomeCoverage()}) {
            if (part != null) {
                parts.add(part);
            }
        }
        BigDecimal mean = parts.stream().reduce(BigDecimal.ZERO, BigDecimal::add).divide(BigDecimal.valueOf(parts.size()), MC);
        return HUNDRED.multiply(mean).setScale(0, RoundingMode.HALF_UP);
    }

    /** The largest weight; of equal ones, the first name in order. Null for no weights. */
    private static Map.Entry<String, BigDecimal> largest(Map<String, BigDecimal> weights) {
        Map.Entry<String, BigDecimal> largest = null;
        for (Map.Entry<String, BigDecimal> w : weights.entrySet()) {
            int byWeight = largest == null ? 1 : w.getValue().compareTo(largest.getValue());
            if (byWeight > 0 || byWeight == 0 && w.getKey().compareTo(largest.getKey()) < 0) {
                largest = w;
            }
        }
        return largest;
    }

    private static String sectorOf(Stock stock) {
        return stock == null || stock.sector() == null || stock.sector().isBlank() ? UNKNOWN_SECTOR : stock.sector();
    }

    /** a / b, or null when either is null or b is 0. */
    static BigDecimal divide(BigDecimal a, BigDecimal b) {
        if (a == null || b == null || b.signum() == 0) {
            return null;
        }
        return a.divide(b, MC);
    }

    private static BigDecimal minusOne(BigDecimal ratio) {
        return ratio == null ? null : ratio.subtract(BigDecimal.ONE);
    }

    private static String percent(BigDecimal fraction) {
        return fraction.multiply(HUNDRED).setScale(1, RoundingMode.HALF_UP).toPlainString() + " %";
    }
}
