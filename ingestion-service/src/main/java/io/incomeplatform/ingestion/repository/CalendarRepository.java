package io.incomeplatform.ingestion.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;

/** The trading calendar table raw.market_holidays. */
@ApplicationScoped
public class CalendarRepository {

    /** A day the exchange is closed (closeTime null) or closes early (at closeTime, exchange time). */
    public record Holiday(LocalDate date, String kind, LocalTime closeTime, String name) {
    }

    private final Pool pool;

    public CalendarRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<Holiday>> holidays(String exchange) {
        return pool.preparedQuery("SELECT date, kind, close_time, name FROM raw.market_holidays WHERE exchange = $1")
                .execute(Tuple.of(exchange)).map(rows -> {
                    List<Holiday> holidays = new ArrayList<>(rows.rowCount());
                    for (Row row : rows) {
                        holidays.add(new Holiday(row.getLocalDate(0), row.getString(1), row.getLocalTime(2),
                                row.getString(3)));
                    }
                    return holidays;
                });
    }
}
