package io.incomeplatform.mart.repository;

import io.incomeplatform.mart.config.MartConfig;
import io.incomeplatform.mart.service.MartCatalog;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies marts from the processing database to the serving database. One mart is one serving
 * transaction: COPY the mart's rows (of the changed symbols, or all) in, write only the rows that differ
 * (delete vanished keys, update changed rows, insert new ones), verify
 * that the serving table's total count equals the mart's, update serving.mart_status, commit. Readers
 * (REPEATABLE READ snapshots included) keep seeing the previous rows until the commit and never a
 * half-loaded table; TRUNCATE and rename swaps are avoided because both break such readers.
 */
@ApplicationScoped
public class ServingRepository {

    private final Pool serving;
    private final AgroalDataSource processingJdbc;
    private final AgroalDataSource servingJdbc;
    private final String workMem;

    public ServingRepository(@ReactiveDataSource("serving") Pool serving, AgroalDataSource processingJdbc,
                             @DataSource("serving") AgroalDataSource servingJdbc, MartConfig config) {
        this.serving = serving;
        this.processingJdbc = processingJdbc;
        this.servingJdbc = servingJdbc;
        this.workMem = config.refresh().workMem();
    }

    /** symbols: the symbols whose rows were copied (null: every row); written: rows deleted, updated or inserted. */
    public record Copied(long rows, OffsetDateTime syncedAt, List<String> symbols, long written) {
        /**
         * Whether the copy leaves enough dead rows to vacuum: a whole copy, or a per-symbol one that rewrote
         * more than a fifth of the table (the treemap's price rows after a new day: ~18,000 of ~34,000, none
         * of them HOT); a smaller one is autovacuum's business (whose default threshold is a fifth too; it
         * may lag or be off), and keeps the dashboard's index-only scans free of heap visits.
         */
        public boolean leavesDeadRows() {
            return written > 0 && (symbols == null || written * 5 > rows);
        }
    }

    /** Thrown inside the serving transaction when the copied row count differs from the source's. */
    public static class CountMismatchException extends RuntimeException {
        public CountMismatchException(String mart, long expected, long actual) {
            super("Serving copy of " + mart + " has " + actual + " rows, the mart has " + expected);
        }
    }

    /**
     * Copies the mart (or only the given symbols' rows) in one serving transaction, verified by count, on
     * a worker thread (blocking JDBC).
     *
     * @param symbols copy only these symbols' rows (the mart's symbol column); null = the whole mart
     */
    public Uni<Copied> copy(MartCatalog.Mart mart, OffsetDateTime refreshedAt, LocalDate asOf, List<String> symbols) {
        return Uni.createFrom().item(() -> mart.servingViewOf().isPresent() ? confirmViewBlocking(mart, refreshedAt, asOf, symbols)
                        : copyBlocking(mart, refreshedAt, asOf, symbols))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * A mart whose serving copy is a view of another mart's serving table (MartCatalog.Mart#servingViewOf):
     * its rows arrived with that mart's sync, so nothing is copied. The view's row count is verified against
     * the mart's and its status recorded, in one serving transaction; the caller checks first that the other
     * mart's sync is done.
     */
    private Copied confirmViewBlocking(MartCatalog.Mart mart, OffsetDateTime refreshedAt, LocalDate asOf, List<String> symbols) {
        try (Connection src = processingJdbc.getConnection(); Connection dst = servingJdbc.getConnection()) {
            dst.setAutoCommit(false);
            try {
                long expected;
                try (PreparedStatement ps = src.prepareStatement("SELECT count(*) FROM " + mart.relation())) {
                    expected = single(ps);
                }
                Copied copied = verifyAndRecord(dst, mart, expected, refreshedAt, asOf, symbols, 0);
                dst.commit();
                return copied;
            } catch (SQLException | RuntimeException e) {
                dst.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Sync of " + mart.name() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The rows travel as one binary COPY stream from the processing side straight into a temporary
     * table of the serving transaction (no indexes: fast, and no rows materialized here), from which
     * only the differences are written to the serving table. The processing side reads a REPEATABLE
     * READ snapshot, so its count and the rows copied agree even if a refresh of the same mart commits
     * meanwhile. Nothing is committed on the serving side unless the counts agree.
     */
    private Copied copyBlocking(MartCatalog.Mart mart, OffsetDateTime refreshedAt, LocalDate asOf, List<String> symbols) {
        try (Connection src = processingJdbc.getConnection(); Connection dst = servingJdbc.getConnection()) {
            src.setAutoCommit(false);
            src.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            dst.setAutoCommit(false);
            try {
                // The differences of a whole mart are found by joins of its rows with the table's: with the
                // server's default work_mem (4MB) their sorts and hashes of 280,000 treemap rows spilled to disk.
                try (PreparedStatement ps = dst.prepareStatement("SELECT set_config('work_mem', ?, true)")) {
                    ps.setString(1, workMem);
                    ps.execute();
                }
                String where = symbols == null ? "" : " WHERE " + mart.symbolColumn() + " = ANY(%s)";
                List<String[]> columns = servingColumns(dst, mart);
                long expected;
                try (PreparedStatement ps = src.prepareStatement("SELECT count(*) FROM " + mart.relation())) {
                    expected = single(ps);
                }
                if (symbols != null) {
                    // COPY takes no parameters: the symbols reach it as a transaction-local setting.
                    try (PreparedStatement ps = src.prepareStatement("SELECT set_config('mart.sync_symbols', ?::text, true)")) {
                        ps.setArray(1, src.createArrayOf("text", symbols.toArray()));
                        ps.execute();
                    }
                }
                try (Statement st = dst.createStatement()) {
                    st.execute("CREATE TEMP TABLE sync_rows (LIKE " + mart.servingTable() + ") ON COMMIT DROP");
                }
                // Binary COPY needs the serving column types: the select casts every column to its serving type.
                String names = String.join(", ", columns.stream().map(c -> c[0]).toList());
                String select = "SELECT " + String.join(", ", columns.stream().map(c -> c[0] + "::" + c[1]).toList())
                        + " FROM " + mart.relation()
                        // Read once (an InitPlan), not per row: 33,000 treemap rows parsing a 9,000-symbol list took 30 s.
                        + where.formatted("(SELECT current_setting('mart.sync_symbols'))::text[]");
                CopyOut out = src.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + select + ") TO STDOUT (FORMAT binary)");
                CopyIn in = dst.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY sync_rows (" + names + ") FROM STDIN (FORMAT binary)");
                try {
                    byte[] chunk;
                    while ((chunk = out.readFromCopy()) != null) {
                        in.writeToCopy(chunk, 0, chunk.length);
                    }
                    in.endCopy();
                } finally {
                    if (in.isActive()) {
                        in.cancelCopy();
                    }
                    if (out.isActive()) {
                        out.cancelCopy();
                    }
                }
                long written = writeDifferences(dst, mart, columns, symbols);
                Copied copied = verifyAndRecord(dst, mart, expected, refreshedAt, asOf, symbols, written);
                dst.commit();
                src.commit();
                return copied;
            } catch (SQLException | RuntimeException e) {
                dst.rollback();
                src.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Sync of " + mart.name() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * In the sync's serving transaction: fails unless the serving table (or view) holds the mart's row
     * count, then records the mart's serving.mart_status row.
     */
    private static Copied verifyAndRecord(Connection dst, MartCatalog.Mart mart, long expected, OffsetDateTime refreshedAt,
                                          LocalDate asOf, List<String> symbols, long written) throws SQLException {
        long actual;
        try (PreparedStatement ps = dst.prepareStatement("SELECT count(*) FROM " + mart.servingTable())) {
            actual = single(ps);
        }
        if (actual != expected) {
            throw new CountMismatchException(mart.name(), expected, actual);
        }
        return new Copied(actual, recordStatus(dst, mart, actual, refreshedAt, asOf), symbols, written);
    }

    /** The mart's row in serving.mart_status, in the sync's transaction; returns its synced_at. */
    private static OffsetDateTime recordStatus(Connection dst, MartCatalog.Mart mart, long rows, OffsetDateTime refreshedAt,
                                               LocalDate asOf) throws SQLException {
        try (PreparedStatement ps = dst.prepareStatement("""
                INSERT INTO serving.mart_status (name, rows, refreshed_at, synced_at, as_of)
                VALUES (?, ?, ?, now(), ?)
                ON CONFLICT (name) DO UPDATE SET rows = excluded.rows,
                    refreshed_at = excluded.refreshed_at, synced_at = excluded.synced_at,
                    as_of = excluded.as_of
                RETURNING synced_at""")) {
            ps.setString(1, mart.name());
            ps.setLong(2, rows);
            ps.setObject(3, refreshedAt);
            ps.setObject(4, asOf);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, OffsetDateTime.class);
            }
        }
    }

    /** The serving table's columns in order: quoted name and type (as the catalog spells it). */
    private static List<String[]> servingColumns(Connection dst, MartCatalog.Mart mart) throws SQLException {
        try (PreparedStatement ps = dst.prepareStatement("""
                SELECT quote_ident(attname), format_type(atttypid, atttypmod) FROM pg_attribute
                WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum""")) {
            ps.setString(1, mart.servingTable());
            List<String[]> columns = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new String[]{rs.getString(1), rs.getString(2)});
                }
            }
            return columns;
        }
    }

    /**
     * Brings the serving table (within the symbols, or whole) to the copied rows in sync_rows, writing
     * only what differs: keys that vanished are deleted, rows that differ updated, new keys inserted
     * (returns how many rows it wrote).
     * A new trading day changes the treemap's price rows but not its short-position rows: half the
     * rows (and their entries in four indexes, the serving side's main cost) stay untouched, and the
     * following VACUUM has half the dead rows to reclaim.
     */
    private static long writeDifferences(Connection dst, MartCatalog.Mart mart, List<String[]> columns, List<String> symbols)
            throws SQLException {
        List<String> keys = List.of(primaryKey(dst, mart).split(", "));
        List<String> values = columns.stream().map(c -> c[0]).filter(c -> !keys.contains(c)).toList();
        String keyMatch = String.join(" AND ", keys.stream().map(k -> "f." + k + " = t." + k).toList());
        String scope = symbols == null ? "true" : "t." + mart.symbolColumn() + " = ANY(?)";
        try (Statement st = dst.createStatement()) {
            st.execute("ANALYZE sync_rows");
        }
        // The keys only one side has, found in one hash join before anything is written (the table's keys
        // are read once: against an empty, vacuumed table an anti join per statement may turn into a nested
        // loop re-scanning the heap an insert grows, quadratic in the rows: 21 s for 128,700 rows).
        String keyList = String.join(", ", keys);
        try (PreparedStatement ps = dst.prepareStatement("CREATE TEMP TABLE sync_keys ON COMMIT DROP AS SELECT "
                + String.join(", ", keys.stream().map(k -> "coalesce(t." + k + ", f." + k + ") AS " + k).toList())
                + ", f." + keys.getFirst() + " IS NULL AS gone FROM (SELECT " + keyList + " FROM " + mart.servingTable() + " t WHERE "
                + scope + ") t FULL JOIN (SELECT " + keyList + " FROM sync_rows) f ON " + keyMatch
                + " WHERE t." + keys.getFirst() + " IS NULL OR f." + keys.getFirst() + " IS NULL")) {
            if (symbols != null) {
                ps.setArray(1, dst.createArrayOf("text", symbols.toArray()));
            }
            ps.executeUpdate();
        }
        String keyMatchNew = String.join(" AND ", keys.stream().map(k -> "n." + k + " = t." + k).toList());
        try (Statement st = dst.createStatement()) {
            long written = st.executeUpdate("DELETE FROM " + mart.servingTable() + " t USING sync_keys n WHERE n.gone AND " + keyMatchNew);
            written += st.executeUpdate("UPDATE " + mart.servingTable() + " t SET (" + String.join(", ", values) + ") = ROW("
                    + String.join(", ", values.stream().map(c -> "f." + c).toList()) + ") FROM sync_rows f WHERE " + keyMatch
                    + " AND ROW(t.*) IS DISTINCT FROM ROW(f.*)");
            // In key order: index inserts then touch each leaf page once.
            written += st.executeUpdate("INSERT INTO " + mart.servingTable() + " SELECT t.* FROM sync_rows t JOIN sync_keys n ON NOT n.gone AND "
                    + keyMatchNew + " ORDER BY " + String.join(", ", keys.stream().map(k -> "t." + k).toList()));
            return written;
        }
    }

    /** The serving table's primary key columns, in key order (quoted). */
    private static String primaryKey(Connection dst, MartCatalog.Mart mart) throws SQLException {
        try (PreparedStatement ps = dst.prepareStatement("""
                SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
                FROM pg_index i CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = ?::regclass AND i.indisprimary""")) {
            ps.setString(1, mart.servingTable());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * After the commit: reclaims the previous version's rows once no reader's snapshot needs them and
     * refreshes the planner's statistics (a delete-and-insert sync otherwise leaves the table twice its
     * size and the dashboard's index scans wading through dead tuples). Best effort: a failure only
     * delays this to autovacuum. Called after a copy that {@link Copied#leavesDeadRows()}, once the run is
     * over: up to 0.8 s per mart that no reader waits for.
     */
    public Uni<Void> vacuum(MartCatalog.Mart mart) {
        return serving.query("VACUUM (ANALYZE) " + mart.servingTable()).execute().replaceWithVoid()
                .onFailure().recoverWithNull();
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
