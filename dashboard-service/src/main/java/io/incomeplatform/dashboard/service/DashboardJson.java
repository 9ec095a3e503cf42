package io.incomeplatform.dashboard.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.incomeplatform.dashboard.service.Dashboard.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The dashboard as UTF-8 JSON, written field by field on Jackson's generator: the same bytes the
 * application's ObjectMapper writes for {@link Dashboard} (record component order, nulls written,
 * BigDecimals plain, ISO dates and instants, metadata.cacheStatus only when set), without its
 * reflective bean serializers, which took about half of a miss's JSON time. DashboardJsonTest holds
 * the two to the same bytes; a component added to Dashboard must be added here too.
 */
public final class DashboardJson {

    /** Each thread's buffer for a number's or date's text (event loops write dashboards one at a time). */
    private static final ThreadLocal<AsciiValue> VALUE_TEXT = ThreadLocal.withInitial(() -> new AsciiValue(PlainDecimals.BUFFER_LENGTH));

    private final JsonFactory factory;

    public DashboardJson(JsonFactory factory) {
        this.factory = factory;
    }

    public byte[] write(Dashboard d) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(factory._getBufferRecycler(), 32 * 1024)) {
            try (JsonGenerator g = factory.createGenerator(bytes)) {
                g.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
                dashboard(g, d);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void dashboard(JsonGenerator g, Dashboard d) throws IOException {
        g.writeStartObject();
        name(g, PERFORMANCE_COMMAND);
        performanceCommand(g, d.performanceCommand());
        name(g, INCOME_INTELLIGENCE);
        incomeIntelligence(g, d.incomeIntelligence());
        name(g, LIFESTYLE_TRACKER);
        lifestyleTracker(g, d.lifestyleTracker());
        name(g, STRATEGY_OPTIMIZER);
        strategyOptimizer(g, d.strategyOptimizer());
        name(g, QUICK_ACTIONS);
        quickActions(g, d.quickActions());
        name(g, METADATA);
        metadata(g, d.metadata());
        g.writeEndObject();
    }

    private static void performanceCommand(JsonGenerator g, PerformanceCommand p) throws IOException {
        if (p == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        number(g, PORTFOLIO_VALUE, p.portfolioValue());
        date(g, AS_OF, p.asOf());
        name(g, PORTFOLIO_VS_SPY);
        BenchmarkComparison b = p.portfolioVsSpy();
        if (b == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            string(g, BENCHMARK, b.benchmark());
            string(g, METHOD, b.method());
            name(g, PERIODS);
            if (b.periods() == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                for (Map.Entry<String, PeriodReturn> period : b.periods().entrySet()) {
                    g.writeFieldName(period.getKey());
                    PeriodReturn r = period.getValue();
                    if (r == null) {
                        g.writeNull();
                        continue;
                    }
                    g.writeStartObject();
                    number(g, PORTFOLIO, r.portfolio());
                    number(g, BENCHMARK, r.benchmark());
                    number(g, OUTPERFORMANCE, r.outperformance());
                    date(g, START_DATE, r.startDate());
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        name(g, MONEY_WEIGHTED_RETURN);
        MoneyWeightedReturn m = p.moneyWeightedReturn();
        if (m == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            number(g, ANNUALIZED, m.annualized());
            date(g, SINCE, m.since());
            string(g, METHOD, m.method());
            g.writeEndObject();
        }
        name(g, HOLDINGS_BREAKDOWN);
        List<Holding> holdings = p.holdingsBreakdown();
        if (holdings == null) {
            g.writeNull();
        } else {
            g.writeStartArray();
            for (Holding h : holdings) {
                if (h == null) {
                    g.writeNull();
                    continue;
                }
                g.writeStartObject();
                string(g, SYMBOL, h.symbol());
                string(g, NAME, h.name());
                string(g, ASSET_TYPE, h.assetType());
                string(g, SECTOR, h.sector());
                number(g, SHARES, h.shares());
                number(g, PRICE, h.price());
                number(g, VALUE, h.value());
                number(g, WEIGHT, h.weight());
                number(g, COST_BASIS, h.costBasis());
                number(g, UNREALIZED_GAIN, h.unrealizedGain());
                number(g, UNREALIZED_RETURN, h.unrealizedReturn());
                number(g, FORWARD_ANNUAL_INCOME, h.forwardAnnualIncome());
                number(g, TAX_RATE, h.taxRate());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void incomeIntelligence(JsonGenerator g, IncomeIntelligence i) throws IOException {
        if (i == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        name(g, MONTHLY_FLOW);
        MonthlyFlow f = i.monthlyFlow();
        if (f == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            number(g, FORWARD_ANNUAL_INCOME, f.forwardAnnualIncome());
            number(g, GROSS_MONTHLY_INCOME, f.grossMonthlyIncome());
            number(g, TAX_OWED_MONTHLY, f.taxOwedMonthly());
            number(g, NET_MONTHLY_INCOME, f.netMonthlyIncome());
            number(g, MONTHLY_EXPENSES, f.monthlyExpenses());
            number(g, AFTER_EXPENSES_MONTHLY, f.afterExpensesMonthly());
            number(g, REINVESTMENT_AVAILABLE, f.reinvestmentAvailable());
            number(g, PORTFOLIO_YIELD, f.portfolioYield());
            g.writeEndObject();
        }
        name(g, TAX_OPTIMIZATION);
        List<TaxSuggestion> suggestions = i.taxOptimization();
        if (suggestions == null) {
            g.writeNull();
        } else {
            g.writeStartArray();
            for (TaxSuggestion t : suggestions) {
                if (t == null) {
                    g.writeNull();
                    continue;
                }
                g.writeStartObject();
                string(g, SYMBOL, t.symbol());
                string(g, RULE, t.rule());
                string(g, SUGGESTION, t.suggestion());
                number(g, ESTIMATED_ANNUAL_SAVINGS, t.estimatedAnnualSavings());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void lifestyleTracker(JsonGenerator g, LifestyleTracker l) throws IOException {
        if (l == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        name(g, EXPENSE_COVERAGE);
        ExpenseCoverage c = l.expenseCoverage();
        if (c == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            number(g, MONTHLY_EXPENSES, c.monthlyExpenses());
            number(g, NET_MONTHLY_INCOME, c.netMonthlyIncome());
            number(g, COVERAGE_RATIO, c.coverageRatio());
            g.writeEndObject();
        }
        name(g, FIRE_PROGRESS);
        FireProgress f = l.fireProgress();
        if (f == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            number(g, FIRE_NUMBER, f.fireNumber());
            string(g, FIRE_NUMBER_SOURCE, f.fireNumberSource());
            number(g, WITHDRAWAL_RATE, f.withdrawalRate());
            number(g, PORTFOLIO_VALUE, f.portfolioValue());
            number(g, PROGRESS_RATIO, f.progressRatio());
            name(g, MILESTONES);
            if (f.milestones() == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (Milestone m : f.milestones()) {
                    if (m == null) {
                        g.writeNull();
                        continue;
                    }
                    g.writeStartObject();
                    string(g, CATEGORY, m.category());
                    number(g, MONTHLY_AMOUNT, m.monthlyAmount());
                    number(g, CUMULATIVE_AMOUNT, m.cumulativeAmount());
                    name(g, ACHIEVED);
                    g.writeBoolean(m.achieved());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            name(g, NEXT_MILESTONE);
            NextMilestone n = f.nextMilestone();
            if (n == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                string(g, CATEGORY, n.category());
                number(g, ADDITIONAL_MONTHLY_INCOME_NEEDED, n.additionalMonthlyIncomeNeeded());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void strategyOptimizer(JsonGenerator g, StrategyOptimizer s) throws IOException {
        if (s == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        name(g, RECOMMENDATIONS);
        Recommendations r = s.recommendations();
        if (r == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            number(g, SCORE, r.score());
            name(g, SCORE_INPUTS);
            ScoreInputs in = r.scoreInputs();
            if (in == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                number(g, DIVERSIFICATION, in.diversification());
                number(g, ALLOCATION_FIT, in.allocationFit());
                number(g, INCOME_COVERAGE, in.incomeCoverage());
                g.writeEndObject();
            }
            number(g, REBALANCE_THRESHOLD, r.rebalanceThreshold());
            name(g, REBALANCING);
            if (r.rebalancing() == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (Rebalancing b : r.rebalancing()) {
                    if (b == null) {
                        g.writeNull();
                        continue;
                    }
                    g.writeStartObject();
                    string(g, KEY, b.key());
                    string(g, KIND, b.kind());
                    number(g, ACTUAL_WEIGHT, b.actualWeight());
                    number(g, TARGET_WEIGHT, b.targetWeight());
                    number(g, DRIFT, b.drift());
                    string(g, ACTION, b.action());
                    number(g, AMOUNT, b.amount());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            name(g, SUGGESTIONS);
            if (r.suggestions() == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (Suggestion x : r.suggestions()) {
                    if (x == null) {
                        g.writeNull();
                        continue;
                    }
                    g.writeStartObject();
                    string(g, KIND, x.kind());
                    string(g, DETAIL, x.detail());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        name(g, RISK_ANALYSIS);
        RiskAnalysis a = s.riskAnalysis();
        if (a == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            number(g, RISK_SCORE, a.riskScore());
            number(g, HHI, a.hhi());
            number(g, TOP_POSITION_WEIGHT, a.topPositionWeight());
            string(g, TOP_POSITION, a.topPosition());
            number(g, TOP_SECTOR_WEIGHT, a.topSectorWeight());
            string(g, TOP_SECTOR, a.topSector());
            name(g, SECTOR_WEIGHTS);
            if (a.sectorWeights() == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                for (Map.Entry<String, BigDecimal> w : a.sectorWeights().entrySet()) {
                    g.writeFieldName(w.getKey());
                    number(g, w.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void quickActions(JsonGenerator g, QuickActions q) throws IOException {
        if (q == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        name(g, RECENT_ACTIVITY);
        RecentActivity a = q.recentActivity();
        if (a == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            name(g, TRANSACTIONS);
            if (a.transactions() == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (RecentTransaction t : a.transactions()) {
                    if (t == null) {
                        g.writeNull();
                        continue;
                    }
                    g.writeStartObject();
                    uuid(g, ID, t.id());
                    uuid(g, PORTFOLIO_ID, t.portfolioId());
                    string(g, TYPE, t.type());
                    string(g, SYMBOL, t.symbol());
                    date(g, DATE, t.date());
                    number(g, SHARES, t.shares());
                    number(g, PRICE, t.price());
                    number(g, FEE, t.fee());
                    instant(g, CREATED_AT, t.createdAt());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            name(g, UPCOMING_DIVIDENDS);
            if (a.upcomingDividends() == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (UpcomingDividend u : a.upcomingDividends()) {
                    if (u == null) {
                        g.writeNull();
                        continue;
                    }
                    g.writeStartObject();
                    string(g, SYMBOL, u.symbol());
                    date(g, EX_DATE, u.exDate());
                    date(g, PAY_DATE, u.payDate());
                    number(g, AMOUNT_PER_SHARE, u.amountPerShare());
                    number(g, SHARES, u.shares());
                    number(g, EXPECTED_AMOUNT, u.expectedAmount());
                    string(g, TYPE, u.type());
                    string(g, STATUS, u.status());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        name(g, SHORTCUTS);
        if (q.shortcuts() == null) {
            g.writeNull();
        } else {
            g.writeStartArray();
            for (Shortcut s : q.shortcuts()) {
                if (s == null) {
                    g.writeNull();
                    continue;
                }
                g.writeStartObject();
                string(g, ACTION, s.action());
                string(g, HREF, s.href());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void metadata(JsonGenerator g, Metadata m) throws IOException {
        if (m == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        instant(g, LAST_UPDATED, m.lastUpdated());
        date(g, AS_OF, m.asOf());
        string(g, SCOPE, m.scope());
        name(g, REFRESH_INTERVAL);
        g.writeNumber(m.refreshInterval());
        if (m.cacheStatus() != null) {
            string(g, CACHE_STATUS, m.cacheStatus());
        }
        g.writeEndObject();
    }

    private static void name(JsonGenerator g, SerializableString name) throws IOException {
        g.writeFieldName(name);
    }

    private static void number(JsonGenerator g, SerializableString name, BigDecimal value) throws IOException {
        g.writeFieldName(name);
        number(g, value);
    }

    /** As the ObjectMapper writes a BigDecimal (plain), through {@link PlainDecimals} when it can. */
    private static void number(JsonGenerator g, BigDecimal value) throws IOException {
        if (value == null) {
            g.writeNull();
            return;
        }
        AsciiValue text = VALUE_TEXT.get();
        int length = PlainDecimals.write(value, text.buffer());
        if (length < 0) {
            g.writeNumber(value);
        } else {
            g.writeRawValue(text.length(length));
        }
    }

    private static void string(JsonGenerator g, SerializableString name, String value) throws IOException {
        g.writeFieldName(name);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeString(value);
        }
    }

    /** LocalDate.toString in quotes; years outside 1000..9999 (a sign or other widths) are written the JDK's way. */
    private static void date(JsonGenerator g, SerializableString name, LocalDate value) throws IOException {
        if (value == null || value.getYear() < 1000 || value.getYear() > 9999) {
            string(g, name, value == null ? null : value.toString());
            return;
        }
        g.writeFieldName(name);
        AsciiValue text = VALUE_TEXT.get();
        byte[] b = text.buffer();
        int year = value.getYear(), month = value.getMonthValue(), day = value.getDayOfMonth();
        b[0] = '"';
        b[1] = (byte) ('0' + year / 1000);
        b[2] = (byte) ('0' + year / 100 % 10);
        b[3] = (byte) ('0' + year / 10 % 10);
        b[4] = (byte) ('0' + year % 10);
        b[5] = '-';
        b[6] = (byte) ('0' + month / 10);
        b[7] = (byte) ('0' + month % 10);
        b[8] = '-';
        b[9] = (byte) ('0' + day / 10);
        b[10] = (byte) ('0' + day % 10);
        b[11] = '"';
        g.writeRawValue(text.length(12));
    }

    private static void instant(JsonGenerator g, SerializableString name, Instant value) throws IOException {
        string(g, name, value == null ? null : value.toString());
    }

    private static void uuid(JsonGenerator g, SerializableString name, UUID value) throws IOException {
        string(g, name, value == null ? null : value.toString());
    }

    // Member names, encoded once.
    private static final SerializableString PERFORMANCE_COMMAND = n("performanceCommand"), INCOME_INTELLIGENCE = n("incomeIntelligence"),
            LIFESTYLE_TRACKER = n("lifestyleTracker"), STRATEGY_OPTIMIZER = n("strategyOptimizer"), QUICK_ACTIONS = n("quickActions"),
            METADATA = n("metadata"), PORTFOLIO_VALUE = n("portfolioValue"), AS_OF = n("asOf"), PORTFOLIO_VS_SPY = n("portfolioVsSpy"),
            BENCHMARK = n("benchmark"), METHOD = n("method"), PERIODS = n("periods"), PORTFOLIO = n("portfolio"),
            OUTPERFORMANCE = n("outperformance"), START_DATE = n("startDate"), MONEY_WEIGHTED_RETURN = n("moneyWeightedReturn"),
            ANNUALIZED = n("annualized"), SINCE = n("since"), HOLDINGS_BREAKDOWN = n("holdingsBreakdown"), SYMBOL = n("symbol"),
            NAME = n("name"), ASSET_TYPE = n("assetType"), SECTOR = n("sector"), SHARES = n("shares"), PRICE = n("price"),
            VALUE = n("value"), WEIGHT = n("weight"), COST_BASIS = n("costBasis"), UNREALIZED_GAIN = n("unrealizedGain"),
            UNREALIZED_RETURN = n("unrealizedReturn"), FORWARD_ANNUAL_INCOME = n("forwardAnnualIncome"), TAX_RATE = n("taxRate"),
            MONTHLY_FLOW = n("monthlyFlow"), GROSS_MONTHLY_INCOME = n("grossMonthlyIncome"), TAX_OWED_MONTHLY = n("taxOwedMonthly"),
            NET_MONTHLY_INCOME = n("netMonthlyIncome"), MONTHLY_EXPENSES = n("monthlyExpenses"),
            AFTER_EXPENSES_MONTHLY = n("afterExpensesMonthly"), REINVESTMENT_AVAILABLE = n("reinvestmentAvailable"),
            PORTFOLIO_YIELD = n("portfolioYield"), TAX_OPTIMIZATION = n("taxOptimization"), RULE = n("rule"),
            SUGGESTION = n("suggestion"), ESTIMATED_ANNUAL_SAVINGS = n("estimatedAnnualSavings"), EXPENSE_COVERAGE = n("expenseCoverage"),
            COVERAGE_RATIO = n("coverageRatio"), FIRE_PROGRESS = n("fireProgress"), FIRE_NUMBER = n("fireNumber"),
            FIRE_NUMBER_SOURCE = n("fireNumberSource"), WITHDRAWAL_RATE = n("withdrawalRate"), PROGRESS_RATIO = n("progressRatio"),
            MILESTONES = n("milestones"), CATEGORY = n("category"), MONTHLY_AMOUNT = n("monthlyAmount"),
            CUMULATIVE_AMOUNT = n("cumulativeAmount"), ACHIEVED = n("achieved"), NEXT_MILESTONE = n("nextMilestone"),
            ADDITIONAL_MONTHLY_INCOME_NEEDED = n("additionalMonthlyIncomeNeeded"), RECOMMENDATIONS = n("recommendations"),
            SCORE = n("score"), SCORE_INPUTS = n("scoreInputs"), DIVERSIFICATION = n("diversification"),
            ALLOCATION_FIT = n("allocationFit"), INCOME_COVERAGE = n("incomeCoverage"), REBALANCE_THRESHOLD = n("rebalanceThreshold"),
            REBALANCING = n("rebalancing"), KEY = n("key"), KIND = n("kind"), ACTUAL_WEIGHT = n("actualWeight"),
            TARGET_WEIGHT = n("targetWeight"), DRIFT = n("drift"), ACTION = n("action"), AMOUNT = n("amount"),
            SUGGESTIONS = n("suggestions"), DETAIL = n("detail"), RISK_ANALYSIS = n("riskAnalysis"), RISK_SCORE = n("riskScore"),
            HHI = n("hhi"), TOP_POSITION_WEIGHT = n("topPositionWeight"), TOP_POSITION = n("topPosition"),
            TOP_SECTOR_WEIGHT = n("topSectorWeight"), TOP_SECTOR = n("topSector"), SECTOR_WEIGHTS = n("sectorWeights"),
            RECENT_ACTIVITY = n("recentActivity"), TRANSACTIONS = n("transactions"), ID = n("id"), PORTFOLIO_ID = n("portfolioId"),
            TYPE = n("type"), DATE = n("date"), FEE = n("fee"), CREATED_AT = n("createdAt"), UPCOMING_DIVIDENDS = n("upcomingDividends"),
            EX_DATE = n("exDate"), PAY_DATE = n("payDate"), AMOUNT_PER_SHARE = n("amountPerShare"), EXPECTED_AMOUNT = n("expectedAmount"),
            STATUS = n("status"), SHORTCUTS = n("shortcuts"), HREF = n("href"), LAST_UPDATED = n("lastUpdated"), SCOPE = n("scope"),
            REFRESH_INTERVAL = n("refreshInterval"), CACHE_STATUS = n("cacheStatus");

    private static SerializableString n(String name) {
        return new SerializedString(name);
    }
}
