package io.incomeplatform.mart.repository;

import io.incomeplatform.mart.service.MartCatalog;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Cursor;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies marts from the processing database to the serving database. One mart is one serving
 * transaction: DELETE the rows of the changed symbols (or every row), INSERT their new rows, verify
 * that the serving table's total count equals the mart's, update serving.mart_status, commit. Readers
 * (REPEATABLE READ snapshots included) keep seeing the previous rows until the commit and never a
 * half-loaded table; TRUNCATE and rename swaps are avoided because both break such readers.
 */
@ApplicationScoped
public class ServingRepository {

    private final Pool processing;
    private final Pool serving;

    public ServingRepository(Pool processing, @ReactiveDataSource("serving") Pool serving) {
        this.processing = processing;
        this.serving = serving;
    }

    /** symbols: the symbols whose rows were copied (null: every row). */
    public record Copied(long rows, OffsetDateTime syncedAt, List<String> symbols) {
    }

    /** Thrown inside the serving transaction when the copied row count differs from the source's. */
    public static class CountMismatchException extends RuntimeException {
        public CountMismatchException(String mart, long expected, long actual) {
            super("Serving copy of " + mart + " has " + actual + " rows, the mart has " + expected);
        }
    }

    /**
     * @param symbols copy only these symbols' rows (the mart's symbol column); null = the whole mart
     */
    public Uni<Copied> copy(MartCatalog.Mart mart, OffsetDateTime refreshedAt, LocalDate asOf, int batchSize, List<String> symbols) {
        String where = symbols == null ? "" : " WHERE " + mart.symbolColumn() + " = ANY($1::text[])";
        Tuple args = symbols == null ? Tuple.tuple() : Tuple.of(symbols.toArray(String[]::new));
        // A REPEATABLE READ snapshot on the processing side: the count and the rows read agree even if
        // a refresh of the same mart commits meanwhile.
        return processing.withTransaction(src -> src.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute()
                .chain(() -> src.query("SELECT count(*) AS n FROM " + mart.relation()).execute())
                .map(rs -> rs.iterator().next().getLong("n"))
                .chain(expected -> src.prepare("SELECT row_to_json(m)::text AS j FROM " + mart.relation() + " m" + where)
                        .chain(statement -> {
                            Cursor cursor = statement.cursor(args);
                            return serving.withTransaction(dst -> dst.preparedQuery("DELETE FROM " + mart.servingTable() + where).execute(args)
                                            .chain(() -> copyBatches(cursor, dst, mart, batchSize))
                                            .chain(() -> dst.query("SELECT count(*) AS n FROM " + mart.servingTable()).execute())
                                            .map(rs -> rs.iterator().next().getLong("n"))
                                            .chain(actual -> {
                                                if (actual.longValue() != expected.longValue()) {
                                                    return Uni.createFrom().failure(new CountMismatchException(mart.name(), expected, actual));
                                                }
                                                return dst.preparedQuery("""
                                                                INSERT INTO serving.mart_status (name, rows, refreshed_at, synced_at, as_of)
                                                                VALUES ($1, $2, $3, now(), $4)
                                                                ON CONFLICT (name) DO UPDATE SET rows = excluded.rows,
                                                                    refreshed_at = excluded.refreshed_at, synced_at = excluded.synced_at,
                                                                    as_of = excluded.as_of
                                                                RETURNING synced_at""")
                                                        .execute(Tuple.of(mart.name(), actual, refreshedAt, asOf))
                                                        .map(rs -> new Copied(actual, rs.iterator().next().getOffsetDateTime("synced_at"), symbols));
                                            }))
                                    .eventually(() -> cursor.close().onFailure().recoverWithNull())
                                    .eventually(() -> statement.close().onFailure().recoverWithNull());
                        })))
                // A per-symbol copy leaves few dead rows: autovacuum's business.
                .call(() -> symbols == null ? vacuum(mart) : Uni.createFrom().voidItem());
    }

    /**
     * After the commit: reclaims the previous version's rows once no reader's snapshot needs them and
     * refreshes the planner's statistics (a delete-and-insert sync otherwise leaves the table twice its
     * size and the dashboard's index scans wading through dead tuples). Best effort: a failure only
     * delays this to autovacuum.
     */
    private Uni<Void> vacuum(MartCatalog.Mart mart) {
        return serving.query("VACUUM (ANALYZE) " + mart.servingTable()).execute().replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    private Uni<Void> copyBatches(Cursor cursor, SqlConnection dst, MartCatalog.Mart mart, int batchSize) {
        return cursor.read(batchSize).chain(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().voidItem();
            }
            StringBuilder json = new StringBuilder(rows.size() * 256).append('[');
            boolean first = true;
            for (Row row : rows) {
                if (!first) {
                    json.append(',');
                }
                json.append(row.getString("j"));
                first = false;
            }
            json.append(']');
            return dst.preparedQuery("INSERT INTO " + mart.servingTable() + " SELECT * FROM json_populate_recordset(NULL::"
                            + mart.servingTable() + ", $1::text::json)")
                    .execute(Tuple.of(json.toString()))
                    .chain(() -> cursor.hasMore() ? copyBatches(cursor, dst, mart, batchSize) : Uni.createFrom().voidItem());
        });
    }

    /**
     * Marks the serving copies of marts that had nothing new as confirmed current now (synced_at is "the
     * serving copy was last known equal to the mart"). Returns the confirmation time.
     */
    public Uni<OffsetDateTime> confirmCurrent(List<String> names) {
        return serving.preparedQuery("UPDATE serving.mart_status SET synced_at = now() WHERE name = ANY($1) RETURNING synced_at")
                .execute(Tuple.of(names.toArray(String[]::new)))
                .map(rs -> rs.iterator().hasNext() ? rs.iterator().next().getOffsetDateTime("synced_at") : OffsetDateTime.now());
    }

    public record Status(String name, long rows, OffsetDateTime refreshedAt, OffsetDateTime syncedAt, LocalDate asOf) {
    }

    public Uni<Map<String, Status>> statuses() {
        return serving.query("SELECT name, rows, refreshed_at, synced_at, as_of FROM serving.mart_status").execute()
                .map(rs -> {
                    Map<String, Status> byName = new HashMap<>();
                    for (Row row : rs) {
                        byName.put(row.getString("name"), new Status(row.getString("name"), row.getLong("rows"),
                                row.getOffsetDateTime("refreshed_at"), row.getOffsetDateTime("synced_at"), row.getLocalDate("as_of")));
                    }
                    return byName;
                });
    }

    /** Total size (table, indexes, TOAST) per serving table. */
    public Uni<Map<String, Long>> tableSizes() {
        return serving.query("""
                        SELECT c.relname, pg_total_relation_size(c.oid) AS bytes
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'serving' AND c.relkind = 'r'""").execute()
                .map(rs -> {
                    Map<String, Long> sizes = new HashMap<>();
                    for (Row row : rs) {
                        sizes.put(row.getString("relname"), row.getLong("bytes"));
                    }
                    return sizes;
                });
    }
}
