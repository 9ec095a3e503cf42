package io.incomeplatform.mart.repository;

import io.incomeplatform.mart.service.MartCatalog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The intermediate and mart tables of the processing database (built from their source views), their runs and data tests. */
@ApplicationScoped
public class MartRepository {

    /** Key of the session-level advisory lock that lets one refresh run at a time across replicas. */
    public static final long REFRESH_LOCK_KEY = 0x6d617274_72667368L;

    private final Pool processing;

    public MartRepository(Pool processing) {
        this.processing = processing;
    }

    /**
     * Tries to take the refresh lock on a dedicated connection; the lock lives as long as that session,
     * so a crashed replica releases it with its connection. Emits null when another session holds it.
     */
    public Uni<SqlConnection> tryRefreshLock() {
        return processing.getConnection().chain(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked")
                .execute(Tuple.of(REFRESH_LOCK_KEY))
                .chain(rs -> {
                    if (rs.iterator().next().getBoolean("locked")) {
                        return Uni.createFrom().item(conn);
                    }
                    return conn.close().replaceWith((SqlConnection) null);
                })
                .onFailure().call(conn::close));
    }

    public Uni<Void> releaseRefreshLock(SqlConnection lockConnection) {
        return lockConnection.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(REFRESH_LOCK_KEY))
                .onItemOrFailure().call((ignored, failure) -> lockConnection.close())
                .replaceWithVoid();
    }

    /**
     * How a table is maintained: its source view ({@code relation + "_source"}), unique key, the symbol
     * column a partial rebuild is scoped by (null: always whole), the source of a partial rebuild when it
     * differs from the whole one (null: the same view), and for a mart the column whose changed values
     * are recorded for its sync.
     */
    private record Table(List<String> keys, String scopeColumn, String partialSource, String syncColumn) {
    }

    /** Relation names come from {@link MartCatalog} only, never from a request. */
    private static final Map<String, Table> TABLES = Map.ofEntries(
            Map.entry("intermediate.as_of", new Table(List.of("id"), null, null, null)),
            Map.entry("intermediate.price_stats", new Table(List.of("symbol"), "symbol", null, null)),
            Map.entry("intermediate.period_returns", new Table(List.of("symbol", "period"), "symbol", null, null)),
            Map.entry("intermediate.dividend_stats", new Table(List.of("symbol"), "symbol", null, null)),
            Map.entry("intermediate.projected_dividends", new Table(List.of("symbol", "ex_date"), "symbol", null, null)),
            Map.entry("mart.market_latest", new Table(List.of("symbol"), "symbol", null, "symbol")),
            Map.entry("mart.stocks_summary", new Table(List.of("symbol"), "symbol", null, "symbol")),
            Map.entry("mart.screener_results", new Table(List.of("symbol"), "symbol", null, "symbol")),
            Map.entry("mart.dividend_calendar", new Table(List.of("symbol", "ex_date"), "symbol", null, "symbol")),
            Map.entry("mart.etf_holdings", new Table(List.of("etf_symbol", "holding_symbol"), "etf_symbol", null, "etf_symbol")),
            // Per symbol: new values with the ranks kept, then RERANK_TREEMAP ranks the touched industries.
            Map.entry("mart.treemap", new Table(List.of("period", "metric", "symbol"), "symbol",
                    "(SELECT v.*, r.rank_current, r.rank_change FROM mart.treemap_values v "
                            + "LEFT JOIN mart.treemap r USING (period, metric, symbol)) AS partial", "symbol")));

    /**
     * Ranks are per (period, metric, industry): after a per-symbol build, the industries of the changed
     * symbols are ranked again from the table itself (no lookups), writing and recording for the sync only
     * rows whose rank moved.
     */
    private static final String RERANK_TREEMAP = """
            WITH ranked AS (
                SELECT period, metric, symbol,
                       row_number() OVER (PARTITION BY period, metric, industry
                                          ORDER BY current_value DESC NULLS LAST, symbol)::int AS rank_current,
                       row_number() OVER (PARTITION BY period, metric, industry
                                          ORDER BY change DESC NULLS LAST, symbol)::int AS rank_change
                FROM mart.treemap
                WHERE industry IN (SELECT coalesce(industry, 'Unknown') FROM staging.securities WHERE symbol = ANY($1::text[]))),
            moved AS (
                UPDATE mart.treemap t SET rank_current = r.rank_current, rank_change = r.rank_change
                FROM ranked r
                WHERE t.period = r.period AND t.metric = r.metric AND t.symbol = r.symbol
                  AND (t.rank_current, t.rank_change) IS DISTINCT FROM (r.rank_current, r.rank_change)
                RETURNING t.symbol)
            INSERT INTO mart.changes (relation, symbol) SELECT DISTINCT 'serving.treemap', symbol FROM moved""";

    /** How a build went: the table's rows, whether it was rebuilt whole, the symbols it was scoped to, rows written. */
    public record Built(long rows, boolean whole, int symbols, long changedRows) {
    }

    /** Changes a relation has not taken in yet; symbols is null when they are everything or too many. */
    public record Pending(long uptoId, boolean any, List<String> symbols) {
        public boolean everything() {
            return symbols == null;
        }
    }

    /** Changes after the relation's mark: general ones (inputs of every table) or those recorded for it (a sync). */
    private static Uni<Pending> pending(SqlConnection conn, String relation, boolean general, int maxSymbols) {
        return conn.preparedQuery("""
                        SELECT max(c.id) AS upto, bool_or(c.symbol = '*') AS everything,
                               CASE WHEN count(DISTINCT c.symbol) <= $3 THEN array_agg(DISTINCT c.symbol) END AS symbols
                        FROM mart.change_marks m
                        JOIN mart.changes c ON c.id > m.done_id AND CASE WHEN $2 THEN c.relation IS NULL ELSE c.relation = m.relation END
                        WHERE m.relation = $1""")
                .execute(Tuple.of(relation, general, maxSymbols))
                .map(rs -> {
                    Row row = rs.iterator().next();
                    Long upto = row.getLong("upto");
                    if (upto == null) {
                        return new Pending(0, false, List.of());
                    }
                    String[] symbols = row.getArrayOfStrings("symbols");
                    return new Pending(upto, true, Boolean.TRUE.equals(row.getBoolean("everything")) || symbols == null
                            ? null : List.of(symbols));
                });
    }

    /** What a mart's sync has to copy: the symbols whose rows changed since its last sync, or everything. */
    public Uni<Pending> pendingSync(MartCatalog.Mart mart, int maxSymbols) {
        return processing.withConnection(conn -> pending(conn, "serving." + mart.name(), false, maxSymbols));
    }

    /** After a sync committed: its changes are on the serving side. */
    public Uni<Void> markSynced(MartCatalog.Mart mart, long uptoId) {
        return processing.withConnection(conn -> markDone(conn, "serving." + mart.name(), uptoId));
    }

    /**
     * Staging changes a consumer outside the mart tables (the portfolio pass: relation "portfolio") has
     * not taken in yet; symbols is null when everything changed or more than maxSymbols did.
     */
    public Uni<Pending> pendingInputs(String consumer, int maxSymbols) {
        return processing.withConnection(conn -> pending(conn, consumer, true, maxSymbols));
    }

    /** After the consumer took in every change up to uptoId. */
    public Uni<Void> markInputsTaken(String consumer, long uptoId) {
        return processing.withConnection(conn -> markDone(conn, consumer, uptoId));
    }

    /** The latest change id (a full copy covers every change up to it). */
    public Uni<Long> latestChange() {
        return processing.query("SELECT coalesce(max(id), 0) AS id FROM mart.changes").execute()
                .map(rs -> rs.iterator().next().getLong("id"));
    }

    /** Whether any table or sync has changes it has not taken in (the portfolio pass keeps its own pace). */
    public Uni<Boolean> anyPending() {
        return processing.query("""
                        SELECT EXISTS (SELECT 1 FROM mart.changes c JOIN mart.change_marks m ON c.id > m.done_id
                                       AND (c.relation IS NULL AND m.relation NOT LIKE 'serving.%' AND m.relation <> 'portfolio'
                                            OR c.relation = m.relation)) AS pending""")
                .execute().map(rs -> rs.iterator().next().getBoolean("pending"));
    }

    /** Drops changes every relation that reads them has taken in. */
    public Uni<Void> pruneChanges() {
        return processing.query("""
                DELETE FROM mart.changes c
                WHERE c.id <= CASE WHEN c.relation IS NULL
                                   THEN (SELECT min(done_id) FROM mart.change_marks WHERE relation NOT LIKE 'serving.%')
                                   ELSE (SELECT done_id FROM mart.change_marks m WHERE m.relation = c.relation) END""")
                .execute().replaceWithVoid();
    }

    private static Uni<Void> markDone(SqlConnection conn, String relation, long uptoId) {
        return conn.preparedQuery("UPDATE mart.change_marks SET done_id = greatest(done_id, $2) WHERE relation = $1")
                .execute(Tuple.of(relation, uptoId)).replaceWithVoid();
    }

    /**
     * Brings a table up to date with its source in one transaction: whole when everything may have
     * changed (or more than maxSymbols symbols did), else only the changed symbols' scope. Either way
     * only rows that differ are written (an upsert that skips equal rows, and a delete of vanished keys):
     * readers are never blocked, and a mart records its changed symbols for its sync. A new as-of date
     * makes every table's next build whole.
     */
    public Uni<Built> build(String relation, int maxSymbols, String workMem) {
        Table table = TABLES.get(relation);
        // JIT off: the builds are index lookups per symbol whose cost estimates invite JIT compilation
        // of large plans, which takes longer than the queries.
        return processing.withTransaction(conn -> conn.preparedQuery("SELECT set_config('work_mem', $1, true), set_config('jit', 'off', true)")
                .execute(Tuple.of(workMem))
                // Row lock on the mark: a second replica's build of the same table waits instead of doubling it.
                .chain(() -> conn.preparedQuery("SELECT done_id FROM mart.change_marks WHERE relation = $1 FOR UPDATE")
                        .execute(Tuple.of(relation)))
                .chain(() -> pending(conn, relation, true, maxSymbols))
                .chain(pending -> {
                    if (!pending.any()) {
                        return countRows(conn, relation).map(rows -> new Built(rows, false, 0, 0));
                    }
                    boolean whole = pending.everything() || table.scopeColumn() == null;
                    String[] symbols = whole ? null : pending.symbols().toArray(String[]::new);
                    return columns(conn, relation)
                            .chain(columns -> conn.preparedQuery(mergeSql(relation, table, columns, whole))
                                    .execute(whole ? Tuple.tuple() : Tuple.of(symbols)))
                            .map(rs -> rs.iterator().next().getLong("changed"))
                            .call(() -> "mart.treemap".equals(relation) && !whole
                                    ? conn.preparedQuery(RERANK_TREEMAP).execute(Tuple.of((Object) symbols)) : Uni.createFrom().voidItem())
                            .call(changed -> "intermediate.as_of".equals(relation) && changed > 0
                                    ? conn.query("INSERT INTO mart.changes (relation, symbol) VALUES (NULL, '*')").execute()
                                    : Uni.createFrom().voidItem())
                            .call(() -> markDone(conn, relation, pending.uptoId()))
                            // Fresh statistics after a whole build: the next builds' plans read this table.
                            .call(() -> whole ? conn.query("ANALYZE " + relation).execute() : Uni.createFrom().voidItem())
                            .chain(changed -> countRows(conn, relation).map(rows -> new Built(rows, whole,
                                    whole ? 0 : pending.symbols().size(), changed)));
                }));
    }

    private static Uni<List<String>> columns(SqlConnection conn, String relation) {
        return conn.preparedQuery("""
                        SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
                        ORDER BY attnum""")
                .execute(Tuple.of(relation))
                .map(rs -> {
                    List<String> names = new ArrayList<>();
                    rs.forEach(row -> names.add(row.getString("attname")));
                    return names;
                });
    }

    /**
     * The merge of a table with its source view, within the scope or whole: deletes rows whose key
     * vanished, writes rows that differ, and for a mart records the changed symbols for its sync.
     * Returns the number of rows written (changed). A scoped merge upserts (few rows, index lookups); a
     * whole one updates through a hash join and inserts only missing keys, so that equal rows are not
     * touched at all (an upsert locks every conflicting row, writing to each page of the table, before
     * its WHERE can skip it). Missing keys are checked against the keys the table had before the
     * statement, read once: an empty, vacuumed table invites a nested-loop anti join whose inner scan
     * re-reads the heap the insert is growing, quadratic in the rows (a first build took 14 minutes).
     */
    private static String mergeSql(String relation, Table table, List<String> columns, boolean whole) {
        List<String> values = columns.stream().filter(c -> !table.keys().contains(c)).toList();
        String keyMatch = String.join(" AND ", table.keys().stream().map(k -> "f." + k + " = t." + k).toList());
        String returned = table.syncColumn() == null ? table.keys().getFirst() : table.syncColumn();
        String record = table.syncColumn() == null ? "" : """
                , recorded AS (INSERT INTO mart.changes (relation, symbol)
                               SELECT DISTINCT 'serving.%s', s FROM changed_rows RETURNING 1)"""
                .formatted(relation.substring(relation.indexOf('.') + 1));
        String counted = table.syncColumn() == null ? "" : ", (SELECT count(*) FROM recorded) AS recorded";
        String put = whole ? """
                put AS (UPDATE %1$s AS t SET (%2$s) = ROW(%3$s) FROM fresh f
                        WHERE %4$s AND ROW(t.*) IS DISTINCT FROM ROW(f.*) RETURNING t.%5$s AS s),
                existing AS MATERIALIZED (SELECT %6$s FROM %1$s),
                added AS (INSERT INTO %1$s SELECT * FROM fresh f WHERE NOT EXISTS (SELECT 1 FROM existing t WHERE %4$s)
                          RETURNING %5$s AS s),""".formatted(relation, String.join(", ", values),
                String.join(", ", values.stream().map(c -> "f." + c).toList()), keyMatch, returned, String.join(", ", table.keys()))
                : """
                put AS (INSERT INTO %1$s AS t SELECT * FROM fresh ON CONFLICT (%2$s) DO UPDATE SET %3$s
                        WHERE ROW(t.*) IS DISTINCT FROM ROW(excluded.*) RETURNING t.%4$s AS s),""".formatted(relation, String.join(", ", table.keys()),
                "(" + String.join(", ", values) + ") = ROW(" + String.join(", ", values.stream().map(c -> "excluded." + c).toList()) + ")",
                returned);
        return """
                WITH fresh AS MATERIALIZED (SELECT * FROM %1$s WHERE %2$s),
                gone AS (DELETE FROM %3$s t WHERE %4$s AND NOT EXISTS (SELECT 1 FROM fresh f WHERE %5$s) RETURNING t.%6$s AS s),
                %7$s
                changed_rows AS (SELECT s FROM gone UNION ALL SELECT s FROM put%10$s)%8$s
                SELECT (SELECT count(*) FROM changed_rows) AS changed%9$s""".formatted(
                whole || table.partialSource() == null ? relation + "_source" : table.partialSource(),
                whole ? "true" : table.scopeColumn() + " = ANY($1::text[])",
                relation,
                whole ? "true" : "t." + table.scopeColumn() + " = ANY($1::text[])",
                keyMatch, returned, put, record, counted, whole ? " UNION ALL SELECT s FROM added" : "");
    }

    public Uni<Long> countRows(String relation) {
        return processing.withConnection(conn -> countRows(conn, relation));
    }

    private static Uni<Long> countRows(SqlConnection conn, String relation) {
        return conn.query("SELECT count(*) AS n FROM " + relation).execute()
                .map(rs -> rs.iterator().next().getLong("n"));
    }

    public Uni<LocalDate> asOf() {
        return processing.query("SELECT as_of FROM intermediate.as_of").execute()
                .map(rs -> rs.iterator().hasNext() ? rs.iterator().next().getLocalDate("as_of") : null);
    }

    /** Runs a mart's data tests in one scan: the number of offending rows per test, in the catalog's order. */
    public Uni<List<Long>> runDataTests(MartCatalog.Mart mart) {
        return processing.query(mart.testsSql()).execute().map(rs -> {
            Row row = rs.iterator().next();
            List<Long> counts = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                counts.add(row.getLong(i));
            }
            return counts;
        });
    }

    public record RunRecord(UUID runId, String name, String trigger, String status, Long rows, long durationMs,
                            String error, OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    public Uni<Void> recordRun(RunRecord run) {
        return processing.preparedQuery("""
                        INSERT INTO mart.refresh_runs (run_id, name, trigger, status, rows, duration_ms, error, started_at, finished_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                .execute(Tuple.from(Arrays.asList(run.runId(), run.name(), run.trigger(), run.status(),
                        run.rows(), run.durationMs(), run.error(), run.startedAt(), run.finishedAt())))
                .replaceWithVoid();
    }

    public Uni<Void> recordDataTestFailure(UUID runId, String mart, String test, long failures, String detail) {
        return processing.preparedQuery("""
                        INSERT INTO mart.data_test_failures (run_id, mart, test, failures, detail) VALUES ($1, $2, $3, $4, $5)""")
                .execute(Tuple.of(runId, mart, test, failures, detail)).replaceWithVoid();
    }

    public record SyncRecord(UUID runId, String name, String status, Long rows, boolean verified, long durationMs,
                             String error, OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    public Uni<Void> recordSync(SyncRecord sync) {
        return processing.preparedQuery("""
                        INSERT INTO mart.sync_runs (run_id, name, status, rows, verified, duration_ms, error, started_at, finished_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                .execute(Tuple.from(Arrays.asList(sync.runId(), sync.name(), sync.status(), sync.rows(),
                        sync.verified(), sync.durationMs(), sync.error(), sync.startedAt(), sync.finishedAt())))
                .replaceWithVoid();
    }

    /** Per mart: the last successful refresh (time, rows, duration) and the processing-side size. */
    public record MartState(String name, Long rows, OffsetDateTime lastRefreshAt, Long lastRefreshMs, long sizeBytes) {
    }

    public Uni<List<MartState>> martStates() {
        List<String> names = MartCatalog.MARTS.stream().map(MartCatalog.Mart::name).toList();
        return processing.preparedQuery("""
                        SELECT n.name, r.rows, r.finished_at, r.duration_ms,
                               pg_total_relation_size(format('mart.%I', n.name)::regclass) AS size_bytes
                        FROM unnest($1::text[]) AS n(name)
                        LEFT JOIN LATERAL (SELECT rows, finished_at, duration_ms FROM mart.refresh_runs
                                           WHERE name = n.name AND status = 'succeeded'
                                           ORDER BY finished_at DESC LIMIT 1) r ON true""")
                .execute(Tuple.of(names.toArray(String[]::new)))
                .map(rs -> {
                    List<MartState> states = new ArrayList<>();
                    for (Row row : rs) {
                        states.add(new MartState(row.getString("name"), row.getLong("rows"),
                                row.getOffsetDateTime("finished_at"), row.getLong("duration_ms"), row.getLong("size_bytes")));
                    }
                    return states;
                });
    }
}
