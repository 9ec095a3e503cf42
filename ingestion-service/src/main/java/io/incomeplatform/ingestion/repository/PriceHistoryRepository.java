package io.incomeplatform.ingestion.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Reads of stored prices the service itself needs (previous closes for published ticks). */
@ApplicationScoped
public class PriceHistoryRepository {

    // For each (symbol, exchange date d, start of d): the latest bar before d and the last tick before d.
    // The caller compares their dates: a day's close is its bar's close if there is one, else its last tick.
    private static final String PREVIOUS_CLOSES = """
            SELECT q.symbol, q.day, b.date, b.close, t.ts, t.price
            FROM unnest($1::text[], $2::date[], $3::timestamptz[]) AS q(symbol, day, day_start)
            LEFT JOIN LATERAL (
                SELECT date, close FROM raw.price_bars
                WHERE symbol = q.symbol AND date < q.day
                ORDER BY date DESC, source
                LIMIT 1) b ON true
            LEFT JOIN LATERAL (
                SELECT ts, price FROM raw.price_ticks
                WHERE symbol = q.symbol AND ts < q.day_start
                ORDER BY ts DESC
                LIMIT 1) t ON true""";

    private final Pool pool;

    public PriceHistoryRepository(Pool pool) {
        this.pool = pool;
    }

    /** What is known before a (symbol, day): the latest earlier bar and the last earlier tick, either may be null. */
    public record Before(String symbol, LocalDate day, LocalDate barDate, BigDecimal barClose,
                         OffsetDateTime tickTs, BigDecimal tickPrice) {
    }

    public Uni<List<Before>> before(String[] symbols, LocalDate[] days, OffsetDateTime[] dayStarts) {
        return pool.preparedQuery(PREVIOUS_CLOSES).execute(Tuple.of(symbols, days, dayStarts)).map(rows -> {
            List<Before> result = new ArrayList<>(rows.rowCount());
            for (Row row : rows) {
                result.add(new Before(row.getString(0), row.getLocalDate(1), row.getLocalDate(2),
                        row.getBigDecimal(3), row.getOffsetDateTime(4), row.getBigDecimal(5)));
            }
            return result;
        });
    }
}
