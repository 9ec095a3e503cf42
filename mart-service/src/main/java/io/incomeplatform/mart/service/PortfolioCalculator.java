package io.incomeplatform.mart.service;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
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
     * @param closes   daily closes per symbol (held symbols and the benchmark), dates up to as-of
     * @param asOf     the benchmark's latest trading day; null when the benchmark has no prices
     */
    public static Result compute(List<Tx> transactions, Map<String, NavigableMap<LocalDate, BigDecimal>> closes,
                                 Map<String, List<Dividend>> dividends, String benchmark, LocalDate asOf) {
        List<Tx> txs = new ArrayList<>(transactions);
        // Ledger order: by date; the same date: BUY, then SPLIT, then SELL; then as entered.
        txs.sort(Comparator.comparing(Tx::date).thenComparing(Tx::type)
                .thenComparing(Tx::createdAt, Comparator.nullsLast(Comparator.naturalOrder())));
        LocalDate first = txs.isEmpty() ? null : txs.getFirst().date();
        List<PeriodResult> nullPeriods = PERIODS.stream().map(p -> new PeriodResult(p.getKey(), null, null, null)).toList();
        if (asOf == null || first == null) {
            return new Result(asOf, first, null, null, nullPeriods);
        }
        NavigableMap<LocalDate, BigDecimal> benchmarkCloses = closes.getOrDefault(benchmark, new TreeMap<>()).headMap(asOf, true);
        List<LocalDate> days = new ArrayList<>(benchmarkCloses.keySet());

        // Dividends received: shares held after every transaction dated before the ex-date, paid on payDate.
        NavigableMap<LocalDate, BigDecimal> received = new TreeMap<>();
        List<Map.Entry<LocalDate, BigDecimal>> receivedFlows = new ArrayList<>();
        Map<String, List<Tx>> bySymbol = new HashMap<>();
        txs.forEach(tx -> bySymbol.computeIfAbsent(tx.symbol(), k -> new ArrayList<>()).add(tx));
        for (Map.Entry<String, List<Tx>> symbolTxs : bySymbol.entrySet()) {
            for (Dividend d : dividends.getOrDefault(symbolTxs.getKey(), List.of())) {
                if (d.receivedOn().isAfter(asOf)) {
                    continue;
                }
                BigDecimal shares = holdingsBefore(symbolTxs.getValue(), d.exDate()).getOrDefault(symbolTxs.getKey(), BigDecimal.ZERO);
                if (shares.signum() > 0) {
                    BigDecimal amount = shares.multiply(d.amount(), MC);
                    received.merge(d.receivedOn(), amount, BigDecimal::add);
                    receivedFlows.add(Map.entry(d.receivedOn(), amount));
                }
            }
        }
        NavigableMap<LocalDate, BigDecimal> benchmarkReceived = new TreeMap<>();
        for (Dividend d : dividends.getOrDefault(benchmark, List.of())) {
            if (!d.receivedOn().isAfter(asOf)) {
                benchmarkReceived.merge(d.receivedOn(), d.amount(), BigDecimal::add);
            }
        }

        // One pass over the benchmark's trading days: value, daily return of the portfolio and benchmark.
        int n = days.size();
        BigDecimal[] value = new BigDecimal[n];
        BigDecimal[] r = new BigDecimal[n];
        BigDecimal[] rb = new BigDecimal[n];
        Map<String, BigDecimal> holdings = new HashMap<>();
        int next = 0;
        BigDecimal previousValue = BigDecimal.ZERO;
        for (int i = 0; i < n; i++) {
            LocalDate d = days.get(i);
            LocalDate previousDay = i == 0 ? null : days.get(i - 1);
            BigDecimal buys = BigDecimal.ZERO;
            BigDecimal sells = BigDecimal.ZERO;
            while (next < txs.size() && !txs.get(next).date().isAfter(d)) {
                Tx tx = txs.get(next++);
                apply(holdings, tx);
                if (tx.type() == Type.BUY) {
                    buys = buys.add(tx.shares().multiply(tx.price(), MC).add(fee(tx)));
                } else if (tx.type() == Type.SELL) {
                    sells = sells.add(tx.shares().multiply(tx.price(), MC).subtract(fee(tx)));
                }
            }
            value[i] = valueOn(holdings, closes, d);
            BigDecimal dividendsIn = sumIn(received, previousDay, d);
            BigDecimal denominator = previousValue.add(buys);
            r[i] = denominator.signum() == 0 ? BigDecimal.ZERO
                    : value[i].add(dividendsIn).add(sells).divide(denominator, MC).subtract(BigDecimal.ONE);
            BigDecimal benchmarkPrevious = previousDay == null ? BigDecimal.ZERO : benchmarkCloses.get(previousDay);
            rb[i] = benchmarkPrevious.signum() == 0 ? BigDecimal.ZERO
                    : benchmarkCloses.get(d).add(sumIn(benchmarkReceived, previousDay, d))
                    .divide(benchmarkPrevious, MC).subtract(BigDecimal.ONE);
            previousValue = value[i];
        }

        List<PeriodResult> periods = new ArrayList<>();
        for (Map.Entry<String, Integer> period : PERIODS) {
            periods.add(periodReturn(period.getKey(), period.getValue(), asOf, first, days, value, r, rb, txs));
        }
        BigDecimal valueAtAsOf = valueOn(holdingsBefore(txs, asOf.plusDays(1)), closes, asOf);

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

    private static PeriodResult periodReturn(String name, int months, LocalDate asOf, LocalDate first, List<LocalDate> days,
                                             BigDecimal[] value, BigDecimal[] r, BigDecimal[] rb, List<Tx> txs) {
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
            start = days.get(startIndex);
            startValue = value[startIndex];
            from = startIndex + 1;
        }
        BigDecimal portfolio = BigDecimal.ONE;
        BigDecimal bench = BigDecimal.ONE;
        for (int i = from; i < days.size() && !days.get(i).isAfter(asOf); i++) {
            portfolio = portfolio.multiply(BigDecimal.ONE.add(r[i]), MC);
            bench = bench.multiply(BigDecimal.ONE.add(rb[i]), MC);
        }
        LocalDate periodStart = start;
        boolean buyInPeriod = txs.stream().anyMatch(tx -> tx.type() == Type.BUY
                && tx.date().isAfter(periodStart) && !tx.date().isAfter(asOf));
        BigDecimal portfolioReturn = startValue.signum() == 0 && !buyInPeriod ? null : portfolio.subtract(BigDecimal.ONE);
        return new PeriodResult(name, start, portfolioReturn, bench.subtract(BigDecimal.ONE));
    }

    private static void apply(Map<String, BigDecimal> holdings, Tx tx) {
        BigDecimal held = holdings.getOrDefault(tx.symbol(), BigDecimal.ZERO);
        switch (tx.type()) {
            case BUY -> holdings.put(tx.symbol(), held.add(tx.shares()));
            case SELL -> holdings.put(tx.symbol(), held.subtract(tx.shares()));
            case SPLIT -> holdings.put(tx.symbol(), held.multiply(tx.shares(), MC));
        }
    }

    /** Holdings after every transaction dated before the given date. */
    static Map<String, BigDecimal> holdingsBefore(List<Tx> sortedTxs, LocalDate date) {
        Map<String, BigDecimal> holdings = new HashMap<>();
        for (Tx tx : sortedTxs) {
            if (!tx.date().isBefore(date)) {
                break;
            }
            apply(holdings, tx);
        }
        return holdings;
    }

    /** Sum over holdings of shares x the close on or before the day (no close yet: counts 0). */
    private static BigDecimal valueOn(Map<String, BigDecimal> holdings, Map<String, NavigableMap<LocalDate, BigDecimal>> closes,
                                      LocalDate day) {
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, BigDecimal> h : holdings.entrySet()) {
            if (h.getValue().signum() == 0) {
                continue;
            }
            NavigableMap<LocalDate, BigDecimal> series = closes.get(h.getKey());
            Map.Entry<LocalDate, BigDecimal> close = series == null ? null : series.floorEntry(day);
            if (close != null) {
                total = total.add(h.getValue().multiply(close.getValue(), MC));
            }
        }
        return total;
    }

    /** Sum of amounts dated in (after, upTo]; after null = from the beginning. */
    private static BigDecimal sumIn(NavigableMap<LocalDate, BigDecimal> byDate, LocalDate after, LocalDate upTo) {
        NavigableMap<LocalDate, BigDecimal> range = after == null ? byDate.headMap(upTo, true)
                : byDate.subMap(after, false, upTo, true);
        return range.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static BigDecimal fee(Tx tx) {
        return tx.fee() == null ? BigDecimal.ZERO : tx.fee();
    }

    private static int lastIndexOnOrBefore(List<LocalDate> days, LocalDate target) {
        int lo = 0;
        int hi = days.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (days.get(mid).isAfter(target)) {
                hi = mid - 1;
            } else {
                found = mid;
                lo = mid + 1;
            }
        }
        return found;
    }

    private static int firstIndexAfter(List<LocalDate> days, LocalDate target) {
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
        double[] amounts = flows.stream().mapToDouble(f -> f.getValue().doubleValue()).toArray();
        double[] years = flows.stream().mapToDouble(f -> ChronoUnit.DAYS.between(t0, f.getKey()) / 365.0).toArray();
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
