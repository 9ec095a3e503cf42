package io.incomeplatform.dashboard.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** app.portfolios; every statement is scoped to the owning user, so another user's id finds nothing. */
@ApplicationScoped
public class PortfolioRepository {

    public record Portfolio(UUID id, String name, String currency, Instant createdAt) {
    }

    private static final String COLUMNS = "id, name, currency, created_at";

    @Inject
    Pool pool;

    public Uni<Portfolio> create(UUID userId, String name, String currency) {
        return pool.preparedQuery("INSERT INTO app.portfolios (id, user_id, name, currency) VALUES ($1, $2, $3, $4) RETURNING " + COLUMNS)
                .execute(Tuple.of(UUID.randomUUID(), userId, name, currency))
                .map(rows -> map(rows.iterator().next()));
    }

    public Uni<List<Portfolio>> list(UUID userId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM app.portfolios WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id")
                .execute(Tuple.of(userId))
                .map(rows -> {
                    List<Portfolio> result = new ArrayList<>();
                    rows.forEach(r -> result.add(map(r)));
                    return result;
                });
    }

    public Uni<Portfolio> find(UUID userId, UUID id) {
        return find(pool, userId, id);
    }

    public Uni<Portfolio> find(SqlClient client, UUID userId, UUID id) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM app.portfolios WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL")
                .execute(Tuple.of(id, userId))
                .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    /** Locks the caller's portfolio row so ledger writes to one portfolio are checked and stored one at a time. */
    public Uni<Boolean> lockForLedgerWrite(SqlClient client, UUID userId, UUID id) {
        return client.preparedQuery("SELECT id FROM app.portfolios WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL FOR UPDATE")
                .execute(Tuple.of(id, userId))
                .map(rows -> rows.size() > 0);
    }

    public Uni<Boolean> softDelete(UUID userId, UUID id) {
        return pool.preparedQuery("UPDATE app.portfolios SET deleted_at = now() WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL")
                .execute(Tuple.of(id, userId))
                .map(rows -> rows.rowCount() > 0);
    }

    private static Portfolio map(Row r) {
        return new Portfolio(r.getUUID("id"), r.getString("name"), r.getString("currency"),
                r.getOffsetDateTime("created_at").toInstant());
    }
}
