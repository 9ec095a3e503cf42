package io.incomeplatform.ingestion.repository;

import io.vertx.sqlclient.data.Numeric;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;

/** Column arrays for the {@code unnest($1::text[], ...)} statements: one array per column, one element per row. */
final class SqlArrays {

    private SqlArrays() {
    }

    static <T> String[] texts(List<T> rows, Function<T, String> column) {
        String[] values = new String[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.apply(rows.get(i));
        }
        return values;
    }

    static <T> Numeric[] numerics(List<T> rows, Function<T, BigDecimal> column) {
        Numeric[] values = new Numeric[rows.size()];
        for (int i = 0; i < values.length; i++) {
            BigDecimal value = column.apply(rows.get(i));
            values[i] = value == null ? null : Numeric.create(value);
        }
        return values;
    }

    static <T> Long[] longs(List<T> rows, Function<T, Long> column) {
        Long[] values = new Long[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.apply(rows.get(i));
        }
        return values;
    }

    static <T> Integer[] ints(List<T> rows, Function<T, Integer> column) {
        Integer[] values = new Integer[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.apply(rows.get(i));
        }
        return values;
    }

    static <T> java.time.LocalDate[] dates(List<T> rows, Function<T, java.time.LocalDate> column) {
        java.time.LocalDate[] values = new java.time.LocalDate[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.apply(rows.get(i));
        }
        return values;
    }

    static <T> OffsetDateTime[] instants(List<T> rows, Function<T, Instant> column) {
        OffsetDateTime[] values = new OffsetDateTime[rows.size()];
        for (int i = 0; i < values.length; i++) {
            Instant value = column.apply(rows.get(i));
            values[i] = value == null ? null : value.atOffset(ZoneOffset.UTC);
        }
        return values;
    }
}
