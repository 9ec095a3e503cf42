package io.incomeplatform.ingestion.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The service's own tables: raw.ingestion_runs, raw.sync_state, the symbol tiers and tick partitions. */
@ApplicationScoped
public class BookkeepingRepository {

    private final Pool pool;

    public BookkeepingRepository(Pool pool) {
        this.pool = pool;
    }

    // --- runs --------------------------------------------------------------------------------

    public Uni<Long> startRun(String kind, String dataType, Integer tier, int symbols) {
        return pool.preparedQuery("""
                        INSERT INTO raw.ingestion_runs (kind, data_type, tier, status, symbols)
                        VALUES ($1, $2, $3::int, 'running', $4) RETURNING id""")
                .execute(params(kind, dataType, tier, symbols))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<Void> finishRun(long id, String status, String provider, int accepted, int duplicates, int rejected,
                               String detail) {
        return pool.preparedQuery("""
                        UPDATE raw.ingestion_runs
                        SET status = $2, provider = $3, rows_accepted = $4, rows_duplicate = $5, rows_rejected = $6,
                            detail = $7, finished_at = now()
                        WHERE id = $1""")
                .execute(params(id, status, provider, accepted, duplicates, rejected, detail))
                .replaceWithVoid();
    }

    // --- sync state ----------------------------------------------------------------------------

    /** One row of raw.sync_state. */
    public record SyncState(String provider, int tier, String dataType, String status, Instant lastSuccessAt,
                            Instant lastAttemptAt, Instant nextRunAt, LocalDate coveredThrough, String lastError,
                            int consecutiveFailures, long rowsWritten, Long lagSeconds) {
    }

    public Uni<List<SyncState>> syncStates() {
        return pool.query("""
                        SELECT provider, tier, data_type, status, last_success_at, last_attempt_at, next_run_at,
                               covered_through, last_error, consecutive_failures, rows_written, lag_seconds
                        FROM raw.sync_state ORDER BY tier, data_type, provider""")
                .execute().map(rows -> {
                    List<SyncState> states = new ArrayList<>();
                    for (Row r : rows) {
                        states.add(new SyncState(r.getString(0), r.getInteger(1), r.getString(2), r.getString(3),
                                instant(r, 4), instant(r, 5), instant(r, 6), r.getLocalDate(7), r.getString(8),
                                r.getInteger(9), r.getLong(10), r.getLong(11)));
                    }
                    return states;
                });
    }

    /** The last date any provider has fully covered for a tier and data type (null: never). */
    public Uni<LocalDate> coveredThrough(int tier, String dataType) {
        return pool.preparedQuery("SELECT max(covered_through) FROM raw.sync_state WHERE tier = $1::int AND data_type = $2")
                .execute(Tuple.of(tier, dataType))
                .map(rows -> rows.iterator().next().getLocalDate(0));
    }

    public Uni<Void> recordSuccess(String provider, int tier, String dataType, Instant at, LocalDate coveredThrough,
                                   long rows, Long lagSeconds, Instant nextRunAt) {
        return pool.preparedQuery("""
                        INSERT INTO raw.sync_state AS s (provider, tier, data_type, status, last_success_at, last_attempt_at,
                                                         covered_through, rows_written, lag_seconds, next_run_at,
                                                         consecutive_failures, last_error, updated_at)
                        VALUES ($1, $2::int, $3, 'ok', $4, $4, $5, $6, $7, $8, 0, NULL, now())
                        ON CONFLICT (provider, tier, data_type) DO UPDATE
                        SET status = 'ok', last_success_at = $4, last_attempt_at = $4,
                            covered_through = greatest(s.covered_through, $5), rows_written = s.rows_written + $6,
                            lag_seconds = $7, next_run_at = $8, consecutive_failures = 0, updated_at = now()""")
                .execute(params(provider, tier, dataType, utc(at), coveredThrough, rows, lagSeconds, utc(nextRunAt)))
                .replaceWithVoid();
    }

    public Uni<Void> recordFailure(String provider, int tier, String dataType, Instant at, String error,
                                   Instant nextRunAt) {
        return pool.preparedQuery("""
                        INSERT INTO raw.sync_state AS s (provider, tier, data_type, status, last_attempt_at, last_error,
                                                         consecutive_failures, next_run_at, updated_at)
                        VALUES ($1, $2::int, $3, 'failing', $4, $5, 1, $6, now())
                        ON CONFLICT (provider, tier, data_type) DO UPDATE
                        SET status = 'failing', last_attempt_at = $4, last_error = $5,
                            consecutive_failures = s.consecutive_failures + 1, next_run_at = $6, updated_at = now()""")
                .execute(params(provider, tier, dataType, utc(at), error, utc(nextRunAt)))
                .replaceWithVoid();
    }

    // --- symbols and partitions ----------------------------------------------------------------

    public Uni<List<String>> symbolsOfTier(int tier) {
        return pool.preparedQuery("SELECT symbol FROM raw.securities WHERE tier = $1::int ORDER BY symbol")
                .execute(Tuple.of(tier)).map(rows -> {
                    List<String> symbols = new ArrayList<>(rows.rowCount());
                    rows.forEach(r -> symbols.add(r.getString(0)));
                    return symbols;
                });
    }

    public Uni<List<String>> knownSymbols(List<String> symbols) {
        return pool.preparedQuery("SELECT symbol FROM raw.securities WHERE symbol = ANY($1)")
                .execute(Tuple.of(symbols.toArray(String[]::new))).map(rows -> {
                    List<String> known = new ArrayList<>(rows.rowCount());
                    rows.forEach(r -> known.add(r.getString(0)));
                    return known;
                });
    }

    /** Creates missing monthly tick partitions from firstMonth on; returns how many it created. */
    public Uni<Integer> ensureTickPartitions(LocalDate firstMonth, int months) {
        return pool.preparedQuery("SELECT raw.ensure_price_tick_partitions($1, $2)")
                .execute(Tuple.of(firstMonth, months)).map(rows -> rows.iterator().next().getInteger(0));
    }

    /** A parameter tuple that may hold nulls. */
    static Tuple params(Object... values) {
        Tuple tuple = Tuple.tuple();
        for (Object value : values) {
            tuple.addValue(value);
        }
        return tuple;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(Row row, int column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
