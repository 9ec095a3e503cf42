package io.incomeplatform.dashboard.repository;

import io.incomeplatform.dashboard.service.LedgerEntry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** app.transactions (the ledger) and the symbol check against serving.stocks_summary. */
@ApplicationScoped
public class TransactionRepository {

    public record Page(List<LedgerEntry> items, long total) {
    }

    static final String COLUMNS = "id, portfolio_id, type, symbol, trade_date, shares, price, fee, created_at";

    @Inject
    Pool pool;

    public Uni<List<LedgerEntry>> activeInPortfolio(SqlClient client, UUID userId, UUID portfolioId) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM app.transactions WHERE user_id = $1 AND portfolio_id = $2 AND deleted_at IS NULL")
                .execute(Tuple.of(userId, portfolioId))
                .map(TransactionRepository::mapAll);
    }

    /** Every live ledger row of the user's live portfolios (all portfolios, or one when portfolioId is set). */
    public Uni<List<LedgerEntry>> activeForUser(SqlClient client, UUID userId, UUID portfolioIdOrNull) {
        return client.preparedQuery("SELECT t.id, t.portfolio_id, t.type, t.symbol, t.trade_date, t.shares, t.price, t.fee, t.created_at"
                        + " FROM app.transactions t JOIN app.portfolios p ON p.id = t.portfolio_id"
                        + " WHERE t.user_id = $1 AND p.user_id = $1 AND t.deleted_at IS NULL AND p.deleted_at IS NULL"
                        + " AND ($2::uuid IS NULL OR t.portfolio_id = $2)")
                .execute(Tuple.of(userId, portfolioIdOrNull))
                .map(TransactionRepository::mapAll);
    }

    public Uni<Void> insert(SqlClient client, UUID userId, List<LedgerEntry> entries) {
        List<Tuple> batch = entries.stream().map(e -> Tuple.tuple(List.of(e.id(), e.portfolioId(), userId, e.type(), e.symbol(),
                e.date(), e.shares())).addValue(e.price()).addValue(e.fee()).addValue(userId)).toList();
        return client.preparedQuery("INSERT INTO app.transactions (id, portfolio_id, user_id, type, symbol, trade_date, shares, price, fee, created_by)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .executeBatch(batch)
                .replaceWithVoid();
    }

    public Uni<LedgerEntry> find(SqlClient client, UUID userId, UUID portfolioId, UUID id) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM app.transactions WHERE id = $1 AND user_id = $2 AND portfolio_id = $3 AND deleted_at IS NULL")
                .execute(Tuple.of(id, userId, portfolioId))
                .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    /** Records the deletion; the row keeps its data. */
    public Uni<Boolean> softDelete(SqlClient client, UUID userId, UUID portfolioId, UUID id) {
        return client.preparedQuery("UPDATE app.transactions SET deleted_at = now(), deleted_by = $2"
                        + " WHERE id = $1 AND user_id = $2 AND portfolio_id = $3 AND deleted_at IS NULL")
                .execute(Tuple.of(id, userId, portfolioId))
                .map(rows -> rows.rowCount() > 0);
    }

    /** Newest first: by trade date, then by creation. */
    public Uni<Page> page(UUID userId, UUID portfolioId, int page, int size) {
        Uni<List<LedgerEntry>> items = pool.preparedQuery("SELECT " + COLUMNS + " FROM app.transactions"
                        + " WHERE user_id = $1 AND portfolio_id = $2 AND deleted_at IS NULL"
                        + " ORDER BY trade_date DESC, created_at DESC, id DESC LIMIT $3 OFFSET $4")
                .execute(Tuple.of(userId, portfolioId, size, (long) page * size))
                .map(TransactionRepository::mapAll);
        Uni<Long> total = pool.preparedQuery("SELECT count(*) AS n FROM app.transactions WHERE user_id = $1 AND portfolio_id = $2 AND deleted_at IS NULL")
                .execute(Tuple.of(userId, portfolioId))
                .map(rows -> rows.iterator().next().getLong("n"));
        return Uni.combine().all().unis(items, total).asTuple().map(t -> new Page(t.getItem1(), t.getItem2()));
    }

    /** The subset of the given symbols that the marts know (serving.stocks_summary). */
    public Uni<Set<String>> knownSymbols(Collection<String> symbols) {
        if (symbols.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.preparedQuery("SELECT symbol FROM serving.stocks_summary WHERE symbol = ANY($1)")
                .execute(Tuple.of(symbols.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> known = new TreeSet<>();
                    rows.forEach(r -> known.add(r.getString("symbol")));
                    return known;
                });
    }

    static List<LedgerEntry> mapAll(RowSet<Row> rows) {
        List<LedgerEntry> result = new ArrayList<>(rows.size());
        rows.forEach(r -> result.add(map(r)));
        return result;
    }

    static LedgerEntry map(Row r) {
        return new LedgerEntry(r.getUUID("id"), r.getUUID("portfolio_id"), r.getString("type"), r.getString("symbol"),
                r.getLocalDate("trade_date"), r.getBigDecimal("shares"), r.getBigDecimal("price"), r.getBigDecimal("fee"),
                r.getOffsetDateTime("created_at").toInstant());
    }
}
