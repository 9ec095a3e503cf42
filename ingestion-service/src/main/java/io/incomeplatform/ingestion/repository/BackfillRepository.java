package io.incomeplatform.ingestion.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static io.incomeplatform.ingestion.repository.BookkeepingRepository.params;

/** raw.backfill_jobs and raw.backfill_ranges (what was already backfilled, per provider, symbol and range). */
@ApplicationScoped
public class BackfillRepository {

    /** A job as GET /api/v1/jobs/{id} shows it. */
    public record Job(UUID id, String provider, List<String> symbols, LocalDate from, LocalDate to, String status,
                      int rowsAccepted, int rowsDuplicate, int rowsRejected, String detail, Instant createdAt,
                      Instant startedAt, Instant finishedAt, List<Item> items) {
    }

    /** One symbol of a job. */
    public record Item(String symbol, String status, String source, int rows, String detail) {
    }

    private final Pool pool;

    public BackfillRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> create(UUID id, String provider, List<String> symbols, LocalDate from, LocalDate to) {
        return pool.preparedQuery("""
                        INSERT INTO raw.backfill_jobs (id, provider, symbols, from_date, to_date, status)
                        VALUES ($1, $2, $3, $4, $5, 'queued')""")
                .execute(params(id, provider, symbols.toArray(String[]::new), from, to)).replaceWithVoid();
    }

    public Uni<Void> markRunning(UUID id) {
        return pool.preparedQuery("UPDATE raw.backfill_jobs SET status = 'running', started_at = now() WHERE id = $1")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    public Uni<Void> finish(UUID id, String status, int accepted, int duplicates, int rejected, String detail) {
        return pool.preparedQuery("""
                        UPDATE raw.backfill_jobs SET status = $2, rows_accepted = $3, rows_duplicate = $4,
                               rows_rejected = $5, detail = $6, finished_at = now()
                        WHERE id = $1""")
                .execute(params(id, status, accepted, duplicates, rejected, detail)).replaceWithVoid();
    }

    /** Symbols whose (provider key, symbol, from, to) range was already backfilled successfully. */
    public Uni<Set<String>> alreadyDone(String providerKey, List<String> symbols, LocalDate from, LocalDate to) {
        return pool.preparedQuery("""
                        SELECT symbol FROM raw.backfill_ranges
                        WHERE provider = $1 AND symbol = ANY($2) AND from_date = $3 AND to_date = $4
                          AND status = 'succeeded'""")
                .execute(params(providerKey, symbols.toArray(String[]::new), from, to))
                .map(rows -> {
                    Set<String> done = new java.util.HashSet<>();
                    rows.forEach(r -> done.add(r.getString(0)));
                    return done;
                });
    }

    /** Records a symbol's range; a failed range may later be replaced by a success. */
    public Uni<Void> recordRange(String providerKey, String symbol, LocalDate from, LocalDate to, UUID jobId,
                                 String status, String source, int rows, String detail) {
        return pool.preparedQuery("""
                        INSERT INTO raw.backfill_ranges (provider, symbol, from_date, to_date, job_id, status, source, rows, detail)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                        ON CONFLICT (provider, symbol, from_date, to_date) DO UPDATE
                        SET job_id = EXCLUDED.job_id, status = EXCLUDED.status, source = EXCLUDED.source,
                            rows = EXCLUDED.rows, detail = EXCLUDED.detail, finished_at = now()
                        WHERE raw.backfill_ranges.status <> 'succeeded'""")
                .execute(params(providerKey, symbol, from, to, jobId, status, source, rows, detail)).replaceWithVoid();
    }

    public Uni<Optional<Job>> find(UUID id) {
        Uni<List<Item>> items = pool.preparedQuery("""
                        SELECT symbol, status, source, rows, detail FROM raw.backfill_ranges
                        WHERE job_id = $1 ORDER BY symbol""")
                .execute(Tuple.of(id)).map(rows -> {
                    List<Item> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new Item(r.getString(0), r.getString(1), r.getString(2),
                            r.getInteger(3), r.getString(4))));
                    return list;
                });
        return pool.preparedQuery("""
                        SELECT id, provider, symbols, from_date, to_date, status, rows_accepted, rows_duplicate,
                               rows_rejected, detail, created_at, started_at, finished_at
                        FROM raw.backfill_jobs WHERE id = $1""")
                .execute(Tuple.of(id))
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(Optional.<Job>empty());
                    }
                    Row r = rows.iterator().next();
                    return items.map(list -> Optional.of(new Job(r.getUUID(0), r.getString(1),
                            Arrays.asList(r.getArrayOfStrings(2)), r.getLocalDate(3), r.getLocalDate(4),
                            r.getString(5), r.getInteger(6), r.getInteger(7), r.getInteger(8), r.getString(9),
                            instant(r.getOffsetDateTime(10)), instant(r.getOffsetDateTime(11)),
                            instant(r.getOffsetDateTime(12)), list)));
                });
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
