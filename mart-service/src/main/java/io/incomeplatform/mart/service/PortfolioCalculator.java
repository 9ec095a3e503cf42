package io.incomeplatform.mart.service;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The "Portfolio" section of calculations.md for one scope (one portfolio, or all of a user's): value,
 * daily returns, time-weighted period returns for the portfolio and its benchmark, and the annualised
 * money-weighted return. Pure: all inputs are given, nothing is read here.
 */
public final class PortfolioCalculator {

    static final MathContext MC = MathContext.DECIMAL128;

    public enum Type { BUY, SPLIT, SELL }

    /** shares is the ratio for a SPLIT; price is null for a SPLIT. */
    public record Tx(Type type, String symbol, LocalDate date, BigDecimal shares, BigDecimal price, BigDecimal fee,
                     OffsetDateTime createdAt) {
    }

    /** A canonical dividend; payDate null when unknown. */
    public record Dividend(String symbol, LocalDate exDate, LocalDate payDate, BigDecimal amount) {
        LocalDate receivedOn() {
            return payDate == null ? exDate : payDate;
        }
    }

    public record PeriodResult(String period, LocalDate start, BigDecimal portfolioReturn, BigDecimal benchmarkReturn) {
    }

    public record Result(LocalDate asOf, LocalDate firstTransactionDate, BigDecimal value, BigDecimal mwrAnnualized,
                         List<PeriodResult> periods) {
    }

    /** Periods and their length in months (max: since the first transaction). */
    static final List<Map.Entry<String, Integer>> PERIODS = List.of(
            Map.entry("1m", 1), Map.entry("3m", 3), Map.entry("6m", 6), Map.entry("1y", 12),
            Map.entry("2y", 24), Map.entry("5y", 60), Map.entry("max", 0));

    private PortfolioCalculator() {
    }

    /**
     * One user's market inputs, shared by all of the user's scopes: the benchmark's trading days up to
     * as-of, each symbol's close on or before each of those days (none before its first close), the
     * canonical dividends, and the benchmark's growth (the same for every scope). Aligning once replaces
     * a sorted-map lookup per holding per day.
     */
    public static final class Market {
        final LocalDate[] days;
        final Map<String, Closes> aligned = new HashMap<>();
        final Map<String, List<Dividend>> dividends;
        final String benchmark;
        private BigDecimal[] benchmarkGrowthFrom;

        /**
         * @param closes daily closes per symbol (held symbols and the benchmark), ascending dates up to as-of
         * @param asOf   the benchmark's latest trading day
         */
        public Market(Map<String, Series> closes, Map<String, List<Dividend>> dividends, String benchmark, LocalDate asOf) {
            Series benchmarkSeries = closes.getOrDefault(benchmark, Series.EMPTY);
            long last = asOf.toEpochDay();
            int n = 0;
            while (n < benchmarkSeries.days().length && benchmarkSeries.days()[n] <= last) {
                n++;
            }
            int[] epochDays = Arrays.copyOf(benchmarkSeries.days(), n);
            this.days = new LocalDate[n];
            for (int i = 0; i < n; i++) {
                days[i] = LocalDate.ofEpochDay(epochDays[i]);
            }
            this.dividends = dividends;
            this.benchmark = benchmark;
            for (Map.Entry<String, Series> e : closes.entrySet()) {
                aligned.put(e.getKey(), e.getValue().alignedTo(epochDays));
            }
        }

        /** The index of the first day on or after the date (days.length when none). */
        int firstDayOnOrAfter(LocalDate date) {
            int i = Arrays.binarySearch(days, date);
            return i >= 0 ? i : -i - 1;
        }

        /** Growth of one benchmark share (dividends in) from day i on: computed for the first scope, reused by the others. */
        BigDecimal[] benchmarkGrowthFrom(LocalDate asOf) {
            if (benchmarkGrowthFrom == null) {
                int n = days.length;
                Closes closes = aligned.get(benchmark);
                BigDecimal[] received = new BigDecimal[n];
                for (Dividend d : dividends.getOrDefault(benchmark, List.of())) {
                    if (!d.receivedOn().isAfter(asOf)) {
                        addAt(received, firstDayOnOrAfter(d.receivedOn()), d.amount());
                    }
                }
                BigDecimal[] growth = new BigDecimal[n];
                for (int i = 0; i < n; i++) {
                    BigDecimal previous = i == 0 ? BigDecimal.ZERO : closes.get(i - 1);
                    growth[i] = previous.signum() == 0 ? BigDecimal.ONE
                            : closes.get(i).add(received[i] == null ? BigDecimal.ZERO : received[i]).divide(previous, MC);
                }
                benchmarkGrowthFrom = suffixProducts(growth);
            }
            return benchmarkGrowthFrom;
        }
    }

    /**
     * A symbol's closes, days ascending (epoch days). Each close is exact: its unscaled value and scale
     * when the unscaled value fits a long (prices do), else the BigDecimal in {@code wide}.
     */
    public record Series(int[] days, Closes closes) {
        static final Series EMPTY = new Series(new int[0], new Closes(0));

        /** The same closes in day order. */
        public Series sorted() {
            Integer[] order = new Integer[days.length];
            Arrays.setAll(order, k -> k);
            Arrays.sort(order, Comparator.comparingInt(k -> days[k]));
            int[] sortedDays = new int[days.length];
            Closes sortedCloses = new Closes(days.length);
            for (int k = 0; k < order.length; k++) {
                sortedDays[k] = days[order[k]];
                sortedCloses.copy(k, closes, order[k]);
            }
            return new Series(sortedDays, sortedCloses);
        }

        /** The close on or before each of the days (none before the first close). */
        Closes alignedTo(int[] on) {
            Closes out = new Closes(on.length);
            int j = -1;
            for (int i = 0; i < on.length; i++) {
                while (j + 1 < days.length && days[j + 1] <= on[i]) {
                    j++;
                }
                if (j >= 0) {
                    out.copy(i, closes, j);
                }
            }
            return out;
        }
    }

    /** Exact decimals by index without a BigDecimal each: unscaled value and scale, or a BigDecimal when wider than a long. */
    public static final class Closes {
        private static final int NONE = -1;
        private static final int WIDE = -2;
        final long[] units;
        final int[] scales;
        private BigDecimal[] wide;

        public Closes(int n) {
            units = new long[n];
            scales = new int[n];
            Arrays.fill(scales, NONE);
        }

        public void set(int i, long unscaled, int scale) {
            units[i] = unscaled;
            scales[i] = scale;
        }

        public void set(int i, BigDecimal value) {
            if (wide == null) {
                wide = new BigDecimal[units.length];
            }
            wide[i] = value;
            scales[i] = WIDE;
        }

        void copy(int i, Closes from, int j) {
            if (from.scales[j] == WIDE) {
                set(i, from.wide[j]);
            } else {
                set(i, from.units[j], from.scales[j]);
            }
        }

        boolean known(int i) {
            return scales[i] != NONE;
        }

        /** In the long form: unscaled value and scale (scale >= 0). */
        boolean compact(int i) {
            return scales[i] >= 0;
        }

        /** The close, null when none. */
        public BigDecimal get(int i) {
            return switch (scales[i]) {
                case NONE -> null;
                case WIDE -> wide[i];
                default -> BigDecimal.valueOf(units[i], scales[i]);
            };
        }
    }

    /** A scope without market data (the benchmark has no prices): dates only, every figure null. */
    public static Result withoutMarket(List<Tx> transactions) {
        LocalDate first = transactions.stream().map(Tx::date).min(LocalDate::compareTo).orElse(null);
        return new Result(null, first, null, null, PERIODS.stream().map(p -> new PeriodResult(p.getKey(), null, null, null)).toList());
    }

    /** @param asOf the benchmark's latest trading day (the market's last day) */
    public static Result compute(List<Tx> transactions, Market market, LocalDate asOf) {
        List<Tx> txs = new ArrayList<>(transactions);
        // Ledger order: by date; the same date: BUY, then SPLIT, then SELL; then as entered.
        txs.sort(Comparator.comparing(Tx::date).thenComparing(Tx::type)
                .thenComparing(Tx::createdAt, Comparator.nullsLast(Comparator.naturalOrder())));
        if (txs.isEmpty()) {
            return withoutMarket(txs);
        }
        LocalDate first = txs.getFirst().date();
        LocalDate[] days = market.days;
        int n = days.length;

        // Dividends received: shares held after every transaction dated before the ex-date, paid on payDate,
        // bucketed on the first benchmark day on or after the pay date (days without trading fold forward).
        BigDecimal[] received = new BigDecimal[n];
        List<Map.Entry<LocalDate, BigDecimal>> receivedFlows = new ArrayList<>();
        Map<String, List<Tx>> bySymbol = new LinkedHashMap<>();
        txs.forEach(tx -> bySymbol.computeIfAbsent(tx.symbol(), k -> new ArrayList<>()).add(tx));
        for (Map.Entry<String, List<Tx>> symbolTxs : bySymbol.entrySet()) {
            for (Dividend d : market.dividends.getOrDefault(symbolTxs.getKey(), List.of())) {
                if (d.receivedOn().isAfter(asOf)) {
                    continue;
                }
                BigDecimal shares = sharesBefore(symbolTxs.getValue(), d.exDate());
                if (shares.signum() > 0) {
                    BigDecimal amount = shares.multiply(d.amount(), MC);
                    addAt(received, market.firstDayOnOrAfter(d.receivedOn()), amount);
                    receivedFlows.add(Map.entry(d.receivedOn(), amount));
                }
            }
        }
        // The scope's symbols as indexes into arrays: shares held and the aligned closes.
        List<String> symbols = new ArrayList<>(bySymbol.keySet());
        Map<String, Integer> index = new HashMap<>();
        Closes[] closes = new Closes[symbols.size()];
        for (int s = 0; s < symbols.size(); s++) {
            index.put(symbols.get(s), s);
            closes[s] = market.aligned.get(symbols.get(s));
        }
        Holdings shares = new Holdings(symbols.size());

        // One pass over the benchmark's trading days: value and daily growth 1 + r(d) (the benchmark's is the market's).
        BigDecimal[] value = new BigDecimal[n];
        BigDecimal[] growth = new BigDecimal[n];
        int next = 0;
        BigDecimal previousValue = BigDecimal.ZERO;
        for (int i = 0; i < n; i++) {
            LocalDate d = days[i];
            BigDecimal buys = BigDecimal.ZERO;
            BigDecimal sells = BigDecimal.ZERO;
            while (next < txs.size() && !txs.get(next).date().isAfter(d)) {
                Tx tx = txs.get(next++);
                int s = index.get(tx.symbol());
                shares.set(s, apply(shares.get(s), tx));
                if (tx.type() == Type.BUY) {
                    buys = buys.add(tx.shares().multiply(tx.price(), MC).add(fee(tx)));
                } else if (tx.type() == Type.SELL) {
                    sells = sells.add(tx.shares().multiply(tx.price(), MC).subtract(fee(tx)));
                }
            }
            value[i] = shares.valueOn(closes, i);
            BigDecimal dividendsIn = received[i] == null ? BigDecimal.ZERO : received[i];
            BigDecimal denominator = previousValue.add(buys);
            growth[i] = denominator.signum() == 0 ? BigDecimal.ONE
                    : value[i].add(dividendsIn).add(sells).divide(denominator, MC);
            previousValue = value[i];
        }

        // Every period ends at as-of: growth from day i on is one suffix product, shared by all periods.
        BigDecimal[] growthFrom = suffixProducts(growth);
        BigDecimal[] benchmarkGrowthFrom = market.benchmarkGrowthFrom(asOf);
        List<PeriodResult> periods = new ArrayList<>();
        for (Map.Entry<String, Integer> period : PERIODS) {
            periods.add(periodReturn(period.getKey(), period.getValue(), asOf, first, days, value, growthFrom, benchmarkGrowthFrom, txs));
        }
        // The last day is as-of and every transaction dated on or before it has been applied.
        BigDecimal valueAtAsOf = n == 0 ? BigDecimal.ZERO : value[n - 1];

        List<Map.Entry<LocalDate, BigDecimal>> flows = new ArrayList<>();
        for (Tx tx : txs) {
            if (tx.type() == Type.BUY) {
                flows.add(Map.entry(tx.date(), tx.shares().multiply(tx.price(), MC).add(fee(tx)).negate()));
            } else if (tx.type() == Type.SELL) {
                flows.add(Map.entry(tx.date(), tx.shares().multiply(tx.price(), MC).subtract(fee(tx))));
            }
        }
        flows.addAll(receivedFlows);
        flows.add(Map.entry(asOf, valueAtAsOf));
        return new Result(asOf, first, valueAtAsOf, xirr(flows, first), periods);
    }

    /** out[i] = product of factors[i..n-1] (out[n] = 1), multiplied from the last day back. */
    private static BigDecimal[] suffixProducts(BigDecimal[] factors) {
        BigDecimal[] out = new BigDecimal[factors.length + 1];
        out[factors.length] = BigDecimal.ONE;
        for (int i = factors.length - 1; i >= 0; i--) {
            out[i] = factors[i] == BigDecimal.ONE ? out[i + 1] : out[i + 1].multiply(factors[i], MC);
        }
        return out;
    }

    private static void addAt(BigDecimal[] byDay, int i, BigDecimal amount) {
        if (i < byDay.length) {
            byDay[i] = byDay[i] == null ? amount : byDay[i].add(amount);
        }
    }

    private static PeriodResult periodReturn(String name, int months, LocalDate asOf, LocalDate first, LocalDate[] days,
                                             BigDecimal[] value, BigDecimal[] growthFrom, BigDecimal[] benchmarkGrowthFrom,
                                             List<Tx> txs) {
        LocalDate start;
        BigDecimal startValue;
        int from; // index of the first trading day after start
        if (months == 0) {
            // max: from the day before the first transaction, when nothing was held yet.
            start = first.minusDays(1);
            startValue = BigDecimal.ZERO;
            from = firstIndexAfter(days, start);
        } else {
            LocalDate target = asOf.minusMonths(months);
            int startIndex = lastIndexOnOrBefore(days, target);
            if (startIndex < 0) {
                return new PeriodResult(name, null, null, null);
            }
            start = days[startIndex];
            startValue = value[startIndex];
            from = startIndex + 1;
        }
        BigDecimal portfolio = growthFrom[from];
        BigDecimal bench = benchmarkGrowthFrom[from];
        LocalDate periodStart = start;
        boolean buyInPeriod = txs.stream().anyMatch(tx -> tx.type() == Type.BUY
                && tx.date().isAfter(periodStart) && !tx.date().isAfter(asOf));
        BigDecimal portfolioReturn = startValue.signum() == 0 && !buyInPeriod ? null : portfolio.subtract(BigDecimal.ONE);
        return new PeriodResult(name, start, portfolioReturn, bench.subtract(BigDecimal.ONE));
    }

    private static BigDecimal apply(BigDecimal held, Tx tx) {
        return switch (tx.type()) {
            case BUY -> held.add(tx.shares());
            case SELL -> held.subtract(tx.shares());
            case SPLIT -> held.multiply(tx.shares(), MC);
        };
    }

    /** Shares of one symbol after every transaction (of that symbol, in ledger order) dated before the date. */
    static BigDecimal sharesBefore(List<Tx> sortedSymbolTxs, LocalDate date) {
        BigDecimal held = BigDecimal.ZERO;
        for (Tx tx : sortedSymbolTxs) {
            if (!tx.date().isBefore(date)) {
                break;
            }
            held = apply(held, tx);
        }
        return held;
    }

    /**
     * Shares held per symbol of a scope, exact, with their unscaled value and scale as longs when they fit:
     * the value of a day is then a sum of long products (prices x shares never come near 19 digits), which
     * gives the same unscaled value and scale as the BigDecimal sum; a day whose sum would overflow is
     * summed in BigDecimal.
     */
    static final class Holdings {
        private static final long[] TEN_POWERS = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
                100_000_000L, 1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L,
                100_000_000_000_000L, 1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L,
                1_000_000_000_000_000_000L};
        private final BigDecimal[] shares;
        private final long[] units;
        private final int[] scales;
        /** Whether units/scales hold the shares. */
        private final boolean[] compact;

        Holdings(int n) {
            shares = new BigDecimal[n];
            units = new long[n];
            scales = new int[n];
            compact = new boolean[n];
            Arrays.fill(shares, BigDecimal.ZERO);
            Arrays.fill(compact, true);
        }

        BigDecimal get(int s) {
            return shares[s];
        }

        void set(int s, BigDecimal held) {
            shares[s] = held;
            compact[s] = held.scale() >= 0 && held.scale() < TEN_POWERS.length && held.precision() <= 18;
            if (compact[s]) {
                units[s] = held.unscaledValue().longValue();
                scales[s] = held.scale();
            }
        }

        /** Sum over holdings of shares x the close on or before day i (no close yet: counts 0). */
        BigDecimal valueOn(Closes[] closes, int i) {
            long sum = 0;
            int scale = 0;
            for (int s = 0; s < shares.length; s++) {
                Closes c = closes[s];
                if (c == null || !c.known(i) || shares[s].signum() == 0) {
                    continue;
                }
                if (!compact[s] || !c.compact(i)) {
                    return exactValueOn(closes, i);
                }
                long high = Math.multiplyHigh(units[s], c.units[i]);
                long term = units[s] * c.units[i];
                int termScale = scales[s] + c.scales[i];
                if ((high != 0 || term < 0) || termScale >= TEN_POWERS.length) {
                    return exactValueOn(closes, i);
                }
                if (termScale > scale) {
                    sum = scaleUp(sum, termScale - scale);
                    scale = termScale;
                } else if (termScale < scale) {
                    term = scaleUp(term, scale - termScale);
                }
                if (sum < 0 || term < 0 || sum > Long.MAX_VALUE - term) {
                    return exactValueOn(closes, i);
                }
                sum += term;
            }
            return BigDecimal.valueOf(sum, scale);
        }

        /** x x 10^digits, or -1 when it does not fit a long (x >= 0). */
        private static long scaleUp(long x, int digits) {
            long factor = TEN_POWERS[digits];
            return Math.multiplyHigh(x, factor) != 0 || x * factor < 0 ? -1 : x * factor;
        }

        private BigDecimal exactValueOn(Closes[] closes, int i) {
            BigDecimal total = BigDecimal.ZERO;
            for (int s = 0; s < shares.length; s++) {
                BigDecimal close = closes[s] == null ? null : closes[s].get(i);
                if (close != null && shares[s].signum() != 0) {
                    total = total.add(shares[s].multiply(close, MC));
                }
            }
            return total;
        }
    }

    private static BigDecimal fee(Tx tx) {
        return tx.fee() == null ? BigDecimal.ZERO : tx.fee();
    }

    private static int lastIndexOnOrBefore(LocalDate[] days, LocalDate target) {
        int i = Arrays.binarySearch(days, target);
        return i >= 0 ? i : -i - 2;
    }

    private static int firstIndexAfter(LocalDate[] days, LocalDate target) {
        return lastIndexOnOrBefore(days, target) + 1;
    }

    /**
     * The rate x with sum CF_i / (1 + x)^((t_i - t0) / 365) = 0, searched in (-0.9999, 100); null when
     * the flows do not change sign or no root lies there. The first bracketing interval of a log-spaced
     * scan (1 + x about 5 % apart) is bisected to 1e-13 and the result rounded to 10 decimals.
     */
    static BigDecimal xirr(List<Map.Entry<LocalDate, BigDecimal>> flows, LocalDate t0) {
        boolean positive = flows.stream().anyMatch(f -> f.getValue().signum() > 0);
        boolean negative = flows.stream().anyMatch(f -> f.getValue().signum() < 0);
        if (!positive || !negative) {
            return null;
        }
        // Flows of the same day summed exactly first: one term per day (dividends and buys cluster on days).
        Map<LocalDate, BigDecimal> byDate = new TreeMap<>();
        flows.forEach(f -> byDate.merge(f.getKey(), f.getValue(), BigDecimal::add));
        double[] amounts = byDate.values().stream().mapToDouble(BigDecimal::doubleValue).toArray();
        double[] years = byDate.keySet().stream().mapToDouble(d -> ChronoUnit.DAYS.between(t0, d) / 365.0).toArray();
        java.util.function.DoubleUnaryOperator npv = x -> {
            double logGrowth = Math.log1p(x);
            double sum = 0;
            for (int i = 0; i < amounts.length; i++) {
                sum += amounts[i] * Math.exp(-years[i] * logGrowth);
            }
            return sum;
        };
        double low = -0.9999;
        double lowValue = npv.applyAsDouble(low);
        // Grid on 1 + x from 0.0001 to 101, 20 steps per factor of e (about 5 % apart), then bisection.
        double step = 1.0 / 20;
        for (double logBase = Math.log(0.0001) + step; logBase <= Math.log(101) + step; logBase += step) {
            double high = Math.min(Math.exp(logBase) - 1, 100);
            double highValue = npv.applyAsDouble(high);
            if (lowValue == 0) {
                return round(low);
            }
            if (Math.signum(lowValue) != Math.signum(highValue)) {
                for (int i = 0; i < 200 && high - low > 1e-13; i++) {
                    double mid = (low + high) / 2;
                    double midValue = npv.applyAsDouble(mid);
                    if (Math.signum(midValue) == Math.signum(lowValue)) {
                        low = mid;
                        lowValue = midValue;
                    } else {
                        high = mid;
                    }
                }
                double root = (low + high) / 2;
                return root <= -0.9999 || root >= 100 ? null : round(root);
            }
            low = high;
            lowValue = highValue;
            if (high >= 100) {
                break;
            }
        }
        return null;
    }

    private static BigDecimal round(double x) {
        return BigDecimal.valueOf(x).setScale(10, RoundingMode.HALF_EVEN);
    }
}
