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
import java.util.NavigableMap;
import java.util.TreeMap;
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

    /** Closes per symbol up to as-of: those from {@code from} on, plus the last one before it (carried forward). */
    public Uni<Map<String, NavigableMap<LocalDate, BigDecimal>>> closes(List<String> symbols, LocalDate from, LocalDate asOf) {
        return processing.preparedQuery("""
                        SELECT symbol, date, close FROM mart.market_daily
                        WHERE symbol = ANY($1) AND date >= $2 AND date <= $3
                        UNION ALL
                        SELECT s.symbol, d.date, d.close
                        FROM unnest($1::text[]) AS s(symbol)
                        JOIN LATERAL (SELECT date, close FROM mart.market_daily
                                      WHERE symbol = s.symbol AND date < $2 ORDER BY date DESC LIMIT 1) d ON true""")
                .execute(Tuple.of(symbols.toArray(String[]::new), from, asOf))
                .map(rs -> {
                    Map<String, NavigableMap<LocalDate, BigDecimal>> closes = new HashMap<>();
                    for (Row row : rs) {
                        closes.computeIfAbsent(row.getString("symbol"), s -> new TreeMap<>())
                                .put(row.getLocalDate("date"), row.getBigDecimal("close"));
                    }
                    return closes;
                });
    }

    /** Canonical dividends (the calendar without projections) paid on or before as-of. */
    public Uni<Map<String, List<PortfolioCalculator.Dividend>>> dividends(List<String> symbols, LocalDate asOf) {
        return processing.preparedQuery("""
                        SELECT symbol, ex_date, pay_date, amount FROM mart.dividend_calendar
                        WHERE symbol = ANY($1) AND status <> 'projected' AND coalesce(pay_date, ex_date) <= $2""")
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

    public record ScopeResult(UUID scopeId, String benchmark, PortfolioCalculator.Result result) {
    }

    /**
     * Replaces the user's rows in both tables in one transaction (readers see the old or the new set).
     * A transaction-level advisory lock per user serialises an event-driven and a scheduled recomputation.
     */
    public Uni<Void> replace(UUID userId, List<ScopeResult> scopes, OffsetDateTime computedAt) {
        List<Tuple> performance = new ArrayList<>();
        List<Tuple> summary = new ArrayList<>();
        for (ScopeResult scope : scopes) {
            PortfolioCalculator.Result r = scope.result();
            for (PortfolioCalculator.PeriodResult p : r.periods()) {
                performance.add(Tuple.from(Arrays.asList(userId, scope.scopeId(), p.period(), scope.benchmark(),
                        p.portfolioReturn(), p.benchmarkReturn(), p.start(), r.asOf(), computedAt)));
            }
            summary.add(Tuple.from(Arrays.asList(userId, scope.scopeId(), scope.benchmark(), r.asOf(),
                    r.firstTransactionDate(), r.value(), r.mwrAnnualized(), computedAt)));
        }
        return serving.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock(hashtext('portfolio-marts:' || $1))")
                .execute(Tuple.of(userId.toString()))
                .chain(() -> conn.preparedQuery("DELETE FROM serving.portfolio_performance WHERE user_id = $1").execute(Tuple.of(userId)))
                .chain(() -> conn.preparedQuery("DELETE FROM serving.portfolio_summary WHERE user_id = $1").execute(Tuple.of(userId)))
                .chain(() -> performance.isEmpty() ? Uni.createFrom().voidItem() : conn.preparedQuery("""
                                INSERT INTO serving.portfolio_performance
                                    (user_id, scope_id, period, benchmark, portfolio_return, benchmark_return, start_date, as_of, computed_at)
                                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                        .executeBatch(performance).replaceWithVoid())
                .chain(() -> summary.isEmpty() ? Uni.createFrom().voidItem() : conn.preparedQuery("""
                                INSERT INTO serving.portfolio_summary
                                    (user_id, scope_id, benchmark, as_of, first_transaction_date, portfolio_value, mwr_annualized, computed_at)
                                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""")
                        .executeBatch(summary).replaceWithVoid()));
    }

    /** Removes the rows of users who no longer have any transaction. */
    public Uni<Long> deleteUsersWithoutTransactions() {
        return serving.withTransaction(conn -> conn.query("""
                        DELETE FROM serving.portfolio_performance pp
                        WHERE NOT EXISTS (SELECT 1 FROM app.transactions t WHERE t.user_id = pp.user_id AND t.deleted_at IS NULL)""")
                .execute()
                .chain(a -> conn.query("""
                                DELETE FROM serving.portfolio_summary ps
                                WHERE NOT EXISTS (SELECT 1 FROM app.transactions t WHERE t.user_id = ps.user_id AND t.deleted_at IS NULL)""")
                        .execute().map(b -> (long) a.rowCount() + b.rowCount())));
    }
}
