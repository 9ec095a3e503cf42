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
import java.util.UUID;

/** The intermediate and mart materialized views of the processing database, their runs and data tests. */
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

    /** Relation names come from {@link MartCatalog} only, never from a request. */
    public Uni<Void> refreshIntermediate(String view, String workMem) {
        return refreshConcurrently("intermediate." + view, workMem);
    }

    public Uni<Long> refreshMart(MartCatalog.Mart mart, String workMem) {
        return refreshConcurrently(mart.relation(), workMem).chain(() -> countRows(mart.relation()));
    }

    /**
     * REFRESH ... CONCURRENTLY builds the new rows and diffs them against the old ones with sorts and
     * joins: a transaction-local work_mem keeps those in memory instead of spilling to disk.
     */
    private Uni<Void> refreshConcurrently(String relation, String workMem) {
        return processing.withTransaction(conn -> conn.preparedQuery("SELECT set_config('work_mem', $1, true)")
                .execute(Tuple.of(workMem))
                .chain(() -> conn.query("REFRESH MATERIALIZED VIEW CONCURRENTLY " + relation).execute())
                .replaceWithVoid());
    }

    public Uni<Long> countRows(String relation) {
        return processing.query("SELECT count(*) AS n FROM " + relation).execute()
                .map(rs -> rs.iterator().next().getLong("n"));
    }

    public Uni<LocalDate> asOf() {
        return processing.query("SELECT as_of FROM intermediate.as_of").execute()
                .map(rs -> rs.iterator().hasNext() ? rs.iterator().next().getLocalDate("as_of") : null);
    }

    /** Runs one data test; its SQL returns the number of offending rows. */
    public Uni<Long> runDataTest(String sql) {
        return processing.query(sql).execute().map(rs -> {
            Row row = rs.iterator().next();
            Long n = row.getLong(0);
            return n == null ? 0L : n;
        });
    }

    public Uni<Long> duplicateKeys(MartCatalog.Mart mart) {
        String key = String.join(", ", mart.keyColumns());
        return runDataTest("SELECT count(*) - count(DISTINCT (" + key + ", true)) FROM " + mart.relation());
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
