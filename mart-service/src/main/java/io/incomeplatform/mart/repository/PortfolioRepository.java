package io.incomeplatform.mart.repository;

import io.incomeplatform.mart.service.PortfolioCalculator;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Inputs of the per-user portfolio marts (the ledger and profile in the serving database's app schema;
 * closes and canonical dividends from the processing database's market marts) and their output tables
 * serving.portfolio_performance and serving.portfolio_summary.
 */
@ApplicationScoped
public class PortfolioRepository {

    private final Pool processing;
    private final Pool serving;

    public PortfolioRepository(Pool processing, @ReactiveDataSource("serving") Pool serving) {
        this.processing = processing;
        this.serving = serving;
    }

    public record LedgerRow(UUID portfolioId, PortfolioCalculator.Tx tx) {
    }

    /** The user's live transactions in live portfolios. */
    public Uni<List<LedgerRow>> ledger(UUID userId) {
        return serving.preparedQuery("""
                        SELECT t.portfolio_id, upper(t.type) AS type, upper(t.symbol) AS symbol, t.trade_date, t.shares, t.price,
                               coalesce(t.fee, 0) AS fee, t.created_at
                        FROM app.transactions t
                        JOIN app.portfolios p ON p.id = t.portfolio_id
                        WHERE t.user_id = $1 AND t.deleted_at IS NULL AND p.deleted_at IS NULL""")
                .execute(Tuple.of(userId))
                .map(rs -> {
                    List<LedgerRow> rows = new ArrayList<>();
                    for (Row row : rs) {
                        rows.add(new LedgerRow(row.getUUID("portfolio_id"), new PortfolioCalculator.Tx(
                                PortfolioCalculator.Type.valueOf(row.getString("type")), row.getString("symbol"),
                                row.getLocalDate("trade_date"), row.getBigDecimal("shares"), row.getBigDecimal("price"),
                                row.getBigDecimal("fee"), row.getOffsetDateTime("created_at"))));
                    }
                    return rows;
                });
    }

    /** The profile's benchmark, or null when the user has no profile row (the caller applies the default). */
    public Uni<String> benchmark(UUID userId) {
        return serving.preparedQuery("SELECT upper(benchmark) AS benchmark FROM app.profiles WHERE user_id = $1")
                .execute(Tuple.of(userId))
                .map(rs -> rs.iterator().hasNext() ? rs.iterator().next().getString("benchmark") : null);
    }

    public Uni<List<UUID>> usersWithTransactions() {
        return serving.query("SELECT DISTINCT user_id FROM app.transactions WHERE deleted_at IS NULL").execute()
                .map(rs -> {
                    List<UUID> users = new ArrayList<>();
                    for (Row row : rs) {
                        users.add(row.getUUID("user_id"));
                    }
                    return users;
                });
    }

    /** The benchmark's latest trading day. */
    public Uni<LocalDate> asOf(String benchmark) {
        return processing.preparedQuery("SELECT max(date) AS as_of FROM mart.market_daily WHERE symbol = $1")
                .execute(Tuple.of(benchmark))
                .map(rs -> rs.iterator().next().getLocalDate("as_of"));
    }

    /**
     * Closes per symbol up to as-of: the last one before the symbol's own start date (carried forward),
     * then those from it on. One row per symbol, read in (symbol, date) order straight off the primary
     * key, its days and closes as one text "epochDay:close,..." parsed here into longs: a heavy user's
     * 50-100k closes without a BigDecimal (and the client's array decoding) each. No ORDER BY in the
     * aggregate (a sort per symbol was a third of the query's time): rows arrive in key order, and
     * {@link #series} sorts them should a plan ever deliver them otherwise.
     */
    public Uni<Map<String, PortfolioCalculator.Series>> closes(Map<String, LocalDate> fromBySymbol, LocalDate asOf) {
        List<String> symbols = new ArrayList<>(fromBySymbol.keySet());
        return processing.preparedQuery("""
                        SELECT s.symbol, c.closes
                        FROM unnest($1::text[], $2::date[]) AS s(symbol, from_date)
                        CROSS JOIN LATERAL (
                            SELECT string_agg((date - DATE '1970-01-01') || ':' || close, ',') AS closes
                            FROM ((SELECT date, close FROM mart.market_daily
                                   WHERE symbol = s.symbol AND date < s.from_date ORDER BY date DESC LIMIT 1)
                                  UNION ALL
                                  (SELECT date, close FROM mart.market_daily
                                   WHERE symbol = s.symbol AND date >= s.from_date AND date <= $3 ORDER BY date)) d) c
                        WHERE c.closes IS NOT NULL""")
                .execute(Tuple.of(symbols.toArray(String[]::new), symbols.stream().map(fromBySymbol::get).toArray(LocalDate[]::new), asOf))
                .map(rs -> {
                    Map<String, PortfolioCalculator.Series> closes = new HashMap<>();
                    for (Row row : rs) {
                        closes.put(row.getString("symbol"), series(row.getString("closes")));
                    }
                    return closes;
                });
    }

    /** "epochDay:close,..." (closes as numeric's text output) into a series in day order. */
    static PortfolioCalculator.Series series(String text) {
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ',') {
                n++;
            }
        }
        int[] days = new int[n];
        PortfolioCalculator.Closes closes = new PortfolioCalculator.Closes(n);
        int from = 0;
        for (int k = 0; k < n; k++) {
            int colon = text.indexOf(':', from);
            int end = text.indexOf(',', colon);
            end = end < 0 ? text.length() : end;
            days[k] = Integer.parseInt(text, from, colon, 10);
            decimal(text, colon + 1, end, closes, k);
            from = end + 1;
        }
        PortfolioCalculator.Series series = new PortfolioCalculator.Series(days, closes);
        for (int k = 1; k < n; k++) {
            if (days[k - 1] > days[k]) {
                return series.sorted();
            }
        }
        return series;
    }

    /**
     * One decimal of numeric's text output ("-123.4500") as unscaled value and scale, exactly what
     * new BigDecimal(text) holds; with more than 18 digits (or anything unexpected), that BigDecimal.
     */
    static void decimal(String text, int from, int to, PortfolioCalculator.Closes out, int k) {
        long units = 0;
        int scale = -1;
        int digits = 0;
        boolean negative = text.charAt(from) == '-';
        for (int i = negative ? from + 1 : from; i < to; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9' && digits < 18) {
                units = units * 10 + (c - '0');
                digits++;
                if (scale >= 0) {
                    scale++;
                }
            } else if (c == '.' && scale < 0 && digits > 0) {
                scale = 0;
            } else {
                out.set(k, new BigDecimal(text.substring(from, to)));
                return;
            }
        }
        if (digits == 0) {
            out.set(k, new BigDecimal(text.substring(from, to)));
            return;
        }
        out.set(k, negative ? -units : units, Math.max(scale, 0));
    }

    /**
     * Canonical dividends paid on or before as-of: the dividend calendar's non-projected rows, read from
     * staging (whose changes the staging loads record in mart.changes) so that a recomputation
     * never sees a calendar not yet refreshed after the change that asked for it.
     */
    public Uni<Map<String, List<PortfolioCalculator.Dividend>>> dividends(List<String> symbols, LocalDate asOf) {
        return processing.preparedQuery("""
                        SELECT d.symbol, d.ex_date, d.pay_date, d.amount FROM staging.dividends d
                        JOIN staging.securities s ON s.symbol = d.symbol
                        WHERE d.symbol = ANY($1) AND coalesce(d.pay_date, d.ex_date) <= $2""")
                .execute(Tuple.of(symbols.toArray(String[]::new), asOf))
                .map(rs -> {
                    Map<String, List<PortfolioCalculator.Dividend>> bySymbol = new HashMap<>();
                    for (Row row : rs) {
                        bySymbol.computeIfAbsent(row.getString("symbol"), s -> new ArrayList<>())
                                .add(new PortfolioCalculator.Dividend(row.getString("symbol"), row.getLocalDate("ex_date"),
                                        row.getLocalDate("pay_date"), row.getBigDecimal("amount")));
                    }
                    return bySymbol;
                });
    }

    /** Every benchmark a user's marts use: the profiles' and the default. */
    public Uni<List<String>> benchmarks(String defaultBenchmark) {
        return serving.preparedQuery("SELECT upper(benchmark) AS benchmark FROM app.profiles UNION SELECT $1")
                .execute(Tuple.of(defaultBenchmark))
                .map(rs -> {
                    List<String> benchmarks = new ArrayList<>();
                    rs.forEach(row -> benchmarks.add(row.getString("benchmark")));
                    return benchmarks;
                });
    }

    /** Each benchmark's latest trading day (null when it has no prices). */
    public Uni<Map<String, LocalDate>> asOfs(List<String> benchmarks) {
        return processing.preparedQuery("""
                        SELECT b.symbol, (SELECT max(date) FROM mart.market_daily d WHERE d.symbol = b.symbol) AS as_of
                        FROM unnest($1::text[]) AS b(symbol)""")
                .execute(Tuple.of(benchmarks.toArray(String[]::new)))
                .map(rs -> {
                    Map<String, LocalDate> asOfs = new HashMap<>();
                    rs.forEach(row -> asOfs.put(row.getString("symbol"), row.getLocalDate("as_of")));
                    return asOfs;
                });
    }

    /**
     * Users with live transactions in live portfolios whose marts may be out of date: none computed yet,
     * the ledger or a portfolio edited after they were computed (a safety net: the change event normally
     * recomputed the user already), another benchmark in the profile, the benchmark's as-of moved, or a
     * held symbol or the benchmark among the changed symbols.
     */
    public Uni<List<UUID>> usersToRecompute(List<String> changedSymbols, Map<String, LocalDate> asOfs, String defaultBenchmark) {
        List<String> benchmarks = new ArrayList<>(asOfs.keySet());
        LocalDate[] dates = benchmarks.stream().map(asOfs::get).toArray(LocalDate[]::new);
        return serving.preparedQuery("""
                        SELECT u.user_id
                        FROM (SELECT t.user_id,
                                     bool_or(t.deleted_at IS NULL AND p.deleted_at IS NULL AND t.symbol = ANY($1)) AS holds_changed,
                                     max(greatest(t.created_at, t.deleted_at, p.deleted_at)) AS ledger_changed_at
                              FROM app.transactions t JOIN app.portfolios p ON p.id = t.portfolio_id
                              GROUP BY t.user_id
                              HAVING bool_or(t.deleted_at IS NULL AND p.deleted_at IS NULL)) u
                        LEFT JOIN app.profiles pr ON pr.user_id = u.user_id
                        LEFT JOIN serving.portfolio_summary s
                               ON s.user_id = u.user_id AND s.scope_id = '00000000-0000-0000-0000-000000000000'
                        LEFT JOIN unnest($2::text[], $3::date[]) AS b(benchmark, as_of)
                               ON b.benchmark = coalesce(upper(pr.benchmark), $4)
                        WHERE s.user_id IS NULL
                           OR u.holds_changed
                           OR u.ledger_changed_at > s.computed_at
                           OR s.benchmark <> coalesce(upper(pr.benchmark), $4)
                           OR s.benchmark = ANY($1)
                           OR s.as_of IS DISTINCT FROM b.as_of""")
                .execute(Tuple.of(changedSymbols.toArray(String[]::new), benchmarks.toArray(String[]::new), dates, defaultBenchmark))
                .map(rs -> {
                    List<UUID> users = new ArrayList<>();
                    rs.forEach(row -> users.add(row.getUUID("user_id")));
                    return users;
                });
    }

    public record ScopeResult(UUID scopeId, String benchmark, PortfolioCalculator.Result result) {
    }

    /**
     * Replaces the user's rows in both tables with one statement (one round trip; readers see the old or
     * the new set): upserts the new rows in key order, deletes the user's rows not among them (scopes of
     * a deleted portfolio). Two recomputations of one user at once lock the rows in the same order; the
     * later commit wins.
     */
    public Uni<Void> replace(UUID userId, List<ScopeResult> scopes, OffsetDateTime computedAt) {
        List<UUID> perfScopes = new ArrayList<>();
        List<String> periods = new ArrayList<>();
        List<BigDecimal> portfolioReturns = new ArrayList<>();
        List<BigDecimal> benchmarkReturns = new ArrayList<>();
        List<LocalDate> starts = new ArrayList<>();
        List<UUID> summaryScopes = new ArrayList<>();
        List<LocalDate> firstDates = new ArrayList<>();
        List<BigDecimal> values = new ArrayList<>();
        List<BigDecimal> mwrs = new ArrayList<>();
        String benchmark = null;
        LocalDate asOf = null;
        for (ScopeResult scope : scopes) {
            PortfolioCalculator.Result r = scope.result();
            benchmark = scope.benchmark();
            asOf = r.asOf();
            for (PortfolioCalculator.PeriodResult p : r.periods()) {
                perfScopes.add(scope.scopeId());
                periods.add(p.period());
                portfolioReturns.add(p.portfolioReturn());
                benchmarkReturns.add(p.benchmarkReturn());
                starts.add(p.start());
            }
            summaryScopes.add(scope.scopeId());
            firstDates.add(r.firstTransactionDate());
            values.add(r.value());
            mwrs.add(r.mwrAnnualized());
        }
        return serving.preparedQuery("""
                        WITH perf AS (SELECT * FROM unnest($2::uuid[], $3::text[], $4::numeric[], $5::numeric[], $6::date[])
                                          AS p(scope_id, period, portfolio_return, benchmark_return, start_date)),
                             summ AS (SELECT * FROM unnest($7::uuid[], $8::date[], $9::numeric[], $10::numeric[])
                                          AS s(scope_id, first_transaction_date, portfolio_value, mwr_annualized)),
                             stale_perf AS (DELETE FROM serving.portfolio_performance t WHERE t.user_id = $1
                                            AND NOT EXISTS (SELECT 1 FROM perf WHERE perf.scope_id = t.scope_id AND perf.period = t.period)),
                             stale_summ AS (DELETE FROM serving.portfolio_summary t WHERE t.user_id = $1
                                            AND NOT EXISTS (SELECT 1 FROM summ WHERE summ.scope_id = t.scope_id)),
                             new_perf AS (INSERT INTO serving.portfolio_performance
                                              (user_id, scope_id, period, benchmark, portfolio_return, benchmark_return, start_date, as_of, computed_at)
                                          SELECT $1, scope_id, period, $11, portfolio_return, benchmark_return, start_date, $12, $13
                                          FROM perf ORDER BY scope_id, period
                                          ON CONFLICT (user_id, scope_id, period) DO UPDATE SET benchmark = excluded.benchmark,
                                              portfolio_return = excluded.portfolio_return, benchmark_return = excluded.benchmark_return,
                                              start_date = excluded.start_date, as_of = excluded.as_of, computed_at = excluded.computed_at)
                        INSERT INTO serving.portfolio_summary
                            (user_id, scope_id, benchmark, as_of, first_transaction_date, portfolio_value, mwr_annualized, computed_at)
                        SELECT $1, scope_id, $11, $12, first_transaction_date, portfolio_value, mwr_annualized, $13
                        FROM summ ORDER BY scope_id
                        ON CONFLICT (user_id, scope_id) DO UPDATE SET benchmark = excluded.benchmark, as_of = excluded.as_of,
                            first_transaction_date = excluded.first_transaction_date, portfolio_value = excluded.portfolio_value,
                            mwr_annualized = excluded.mwr_annualized, computed_at = excluded.computed_at""")
                .execute(Tuple.from(Arrays.asList(userId, perfScopes.toArray(UUID[]::new), periods.toArray(String[]::new),
                        portfolioReturns.toArray(BigDecimal[]::new), benchmarkReturns.toArray(BigDecimal[]::new),
                        starts.toArray(LocalDate[]::new), summaryScopes.toArray(UUID[]::new), firstDates.toArray(LocalDate[]::new),
                        values.toArray(BigDecimal[]::new), mwrs.toArray(BigDecimal[]::new), benchmark, asOf, computedAt)))
                .replaceWithVoid();
    }

    /** Removes the rows of users who no longer have any live transaction in a live portfolio. */
    public Uni<Long> deleteUsersWithoutTransactions() {
        String noLedger = """
                NOT EXISTS (SELECT 1 FROM app.transactions t JOIN app.portfolios p ON p.id = t.portfolio_id
                            WHERE t.user_id = %s.user_id AND t.deleted_at IS NULL AND p.deleted_at IS NULL)""";
        return serving.withTransaction(conn -> conn.query("DELETE FROM serving.portfolio_performance pp WHERE " + noLedger.formatted("pp"))
                .execute()
                .chain(a -> conn.query("DELETE FROM serving.portfolio_summary ps WHERE " + noLedger.formatted("ps"))
                        .execute().map(b -> (long) a.rowCount() + b.rowCount())));
    }
}
