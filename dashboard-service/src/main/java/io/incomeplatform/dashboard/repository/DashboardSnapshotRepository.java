package io.incomeplatform.dashboard.repository;

import io.incomeplatform.dashboard.service.Holdings;
import io.incomeplatform.dashboard.service.LedgerEntry;
import io.incomeplatform.dashboard.service.Profile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Everything one dashboard needs, read in ONE {@code REPEATABLE READ READ ONLY} transaction: the
 * caller's ledger and profile and the serving marts, so a mart sync committing meanwhile is seen
 * entirely or not at all (mart-service replaces the serving tables inside one transaction).
 * Independent statements are pipelined on the connection.
 */
@ApplicationScoped
public class DashboardSnapshotRepository {

    public static final UUID ALL_PORTFOLIOS = new UUID(0, 0);

    public record Stock(String symbol, String name, String assetType, String sector, BigDecimal price, LocalDate priceDate,
                        BigDecimal forwardDividend) {
    }

    public record Performance(String period, String benchmark, BigDecimal portfolioReturn, BigDecimal benchmarkReturn,
                              LocalDate startDate, LocalDate asOf) {
    }

    public record Summary(String benchmark, LocalDate asOf, LocalDate firstTransactionDate, BigDecimal portfolioValue,
                          BigDecimal mwrAnnualized, OffsetDateTime computedAt) {
    }

    public record CalendarRow(String symbol, LocalDate exDate, LocalDate payDate, BigDecimal amount, String type, String status) {
    }

    public record Snapshot(Profile profile, List<LedgerEntry> ledger, Map<String, Stock> stocks, List<Performance> performance,
                           Summary summary, LocalDate asOf, List<CalendarRow> upcomingDividends) {
    }

    @Inject
    Pool pool;
    @Inject
    ProfileRepository profiles;
    @Inject
    PortfolioRepository portfolios;
    @Inject
    TransactionRepository transactions;

    /** The snapshot for the caller's portfolios (all of them when portfolioId is null); null when that portfolio is not the caller's. */
    public Uni<Snapshot> read(UUID userId, UUID portfolioId, int upcomingDays) {
        return pool.withConnection(conn -> readInTransaction(conn, userId, portfolioId, upcomingDays)
                .call(() -> conn.query("COMMIT").execute())
                .onFailure().call(() -> conn.query("ROLLBACK").execute().onFailure().recoverWithNull()));
    }

    private Uni<Snapshot> readInTransaction(SqlConnection conn, UUID userId, UUID portfolioId, int upcomingDays) {
        UUID scope = portfolioId == null ? ALL_PORTFOLIOS : portfolioId;
        // Statements on one connection are pipelined in subscription order: BEGIN goes first, and the
        // snapshot is taken by the first query after it, so all of them share one consistent view.
        Uni<Void> begin = conn.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute().replaceWithVoid();
        Uni<Boolean> owned = portfolioId == null ? Uni.createFrom().item(true)
                : portfolios.find(conn, userId, portfolioId).map(Objects::nonNull);
        Uni<Profile> profile = profiles.find(conn, userId);
        Uni<List<LedgerEntry>> ledger = transactions.activeForUser(conn, userId, portfolioId);
        Uni<List<Performance>> performance = conn.preparedQuery("SELECT period, benchmark, portfolio_return, benchmark_return, start_date, as_of"
                        + " FROM serving.portfolio_performance WHERE user_id = $1 AND scope_id = $2")
                .execute(Tuple.of(userId, scope))
                .map(rows -> {
                    List<Performance> result = new ArrayList<>();
                    rows.forEach(r -> result.add(new Performance(r.getString("period"), r.getString("benchmark"),
                            r.getBigDecimal("portfolio_return"), r.getBigDecimal("benchmark_return"),
                            r.getLocalDate("start_date"), r.getLocalDate("as_of"))));
                    return result;
                });
        Uni<Summary> summary = conn.preparedQuery("SELECT benchmark, as_of, first_transaction_date, portfolio_value, mwr_annualized, computed_at"
                        + " FROM serving.portfolio_summary WHERE user_id = $1 AND scope_id = $2")
                .execute(Tuple.of(userId, scope))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new Summary(r.getString("benchmark"), r.getLocalDate("as_of"), r.getLocalDate("first_transaction_date"),
                            r.getBigDecimal("portfolio_value"), r.getBigDecimal("mwr_annualized"), r.getOffsetDateTime("computed_at"));
                });
        return Uni.combine().all().unis(begin, owned, profile, ledger, performance, summary).asTuple().chain(first -> {
            if (!first.getItem2()) {
                return Uni.createFrom().nullItem();
            }
            Profile p = first.getItem3();
            List<LedgerEntry> entries = first.getItem4();
            Summary summaryRow = first.getItem6();
            TreeSet<String> symbols = new TreeSet<>();
            Holdings.positions(entries).forEach(pos -> symbols.add(pos.symbol()));
            List<String> held = List.copyOf(symbols);
            symbols.add(p.benchmark());
            LocalDate martAsOf = summaryRow == null ? null : summaryRow.asOf();
            // Pipelined together: the calendar query finds the as-of date itself (benchmark close, else the marts' as-of).
            Uni<List<CalendarRow>> upcoming = held.isEmpty() ? Uni.createFrom().item(List.of())
                    : upcomingDividends(conn, held, p.benchmark(), martAsOf, upcomingDays);
            return Uni.combine().all().unis(stocks(conn, symbols), upcoming).asTuple().map(second -> {
                Map<String, Stock> stocks = second.getItem1();
                LocalDate asOf = asOf(stocks.get(p.benchmark()), summaryRow, stocks);
                return new Snapshot(p, entries, stocks, first.getItem5(), summaryRow, asOf, second.getItem2());
            });
        });
    }

    /** The latest trading day of the profile's benchmark; else the marts' own as-of; else the newest held price date. */
    private static LocalDate asOf(Stock benchmark, Summary summary, Map<String, Stock> stocks) {
        if (benchmark != null && benchmark.priceDate() != null) {
            return benchmark.priceDate();
        }
        if (summary != null && summary.asOf() != null) {
            return summary.asOf();
        }
        return stocks.values().stream().map(Stock::priceDate).filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
    }

    private Uni<Map<String, Stock>> stocks(SqlConnection conn, TreeSet<String> symbols) {
        return conn.preparedQuery("SELECT symbol, name, asset_type, sector, price, price_date, forward_dividend"
                        + " FROM serving.stocks_summary WHERE symbol = ANY($1)")
                .execute(Tuple.of(symbols.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Stock> result = new HashMap<>();
                    rows.forEach(r -> result.put(r.getString("symbol"), new Stock(r.getString("symbol"), r.getString("name"),
                            r.getString("asset_type"), r.getString("sector"), r.getBigDecimal("price"), r.getLocalDate("price_date"),
                            r.getBigDecimal("forward_dividend"))));
                    return result;
                });
    }

    /**
     * Calendar rows of held symbols paid (pay date, else ex-date) in (as-of, as-of + days], by pay date then
     * symbol. The as-of date is the benchmark's latest close date, else the given mart as-of (as in asOf()).
     */
    private Uni<List<CalendarRow>> upcomingDividends(SqlConnection conn, List<String> symbols, String benchmark, LocalDate martAsOf, int days) {
        return conn.preparedQuery("WITH as_of AS (SELECT coalesce((SELECT price_date FROM serving.stocks_summary WHERE symbol = $2), $3::date) AS d)"
                        + " SELECT c.symbol, c.ex_date, c.pay_date, c.amount, c.type, c.status FROM serving.dividend_calendar c, as_of"
                        + " WHERE c.symbol = ANY($1) AND coalesce(c.pay_date, c.ex_date) > as_of.d AND coalesce(c.pay_date, c.ex_date) <= as_of.d + $4::int"
                        + " ORDER BY coalesce(c.pay_date, c.ex_date), c.symbol, c.ex_date")
                .execute(Tuple.of(symbols.toArray(String[]::new), benchmark, martAsOf, days))
                .map(rows -> {
                    List<CalendarRow> result = new ArrayList<>();
                    rows.forEach(r -> result.add(new CalendarRow(r.getString("symbol"), r.getLocalDate("ex_date"),
                            r.getLocalDate("pay_date"), r.getBigDecimal("amount"), r.getString("type"), r.getString("status"))));
                    return result;
                });
    }
}
