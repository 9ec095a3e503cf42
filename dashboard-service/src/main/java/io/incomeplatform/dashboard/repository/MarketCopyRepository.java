package io.incomeplatform.dashboard.repository;

import io.incomeplatform.dashboard.config.DashboardConfig;
import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository.CalendarRow;
import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository.Stock;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.incomeplatform.dashboard.repository.DashboardSnapshotRepository.decimal;

/**
 * Loads and holds this replica's {@link MarketCopy}. A load is one statement (one snapshot: the rows
 * and the version agree), started by a miss that found the copy missing or out of date, or by
 * income:marts-refreshed; at most one runs at a time, and its ~40,000 rows are turned into the copy on a
 * worker thread, not the event loop. Misses meanwhile read the market rows from the database.
 */
@ApplicationScoped
public class MarketCopyRepository {

    /**
     * The version of the market rows, as a scalar subquery: the xmin of serving.mart_status's rows of the
     * two marts, which mart-service writes in the transaction of each of their syncs (docs/service-contracts.md).
     * NULL unless both rows exist.
     */
    static final String VERSION = """
            (SELECT string_agg(xmin::text, ',' ORDER BY name) FROM serving.mart_status
              WHERE name IN ('dividend_calendar', 'stocks_summary') HAVING count(*) = 2)""";

    /** Columns: kind, t1, t2, t3, t4, d1, d2, n1, n2, rank. v = version; s = stocks_summary; c = calendar rows paid in [$1, $2]. */
    static final String LOAD = "SELECT 'v', " + VERSION + """
            , NULL,NULL,NULL, NULL::date, NULL::date, NULL::numeric, NULL::numeric, NULL::bigint
            UNION ALL SELECT 's', symbol, name, asset_type, sector, price_date, NULL, price, forward_dividend, NULL FROM serving.stocks_summary
            UNION ALL SELECT 'c', symbol, type, status, NULL, ex_date, pay_date, amount, NULL,
              row_number() OVER (ORDER BY coalesce(pay_date, ex_date), symbol, ex_date)
              FROM serving.dividend_calendar WHERE coalesce(pay_date, ex_date) BETWEEN $1 AND $2""";

    private static final int KIND = 0, T1 = 1, T2 = 2, T3 = 3, T4 = 4, D1 = 5, D2 = 6, N1 = 7, N2 = 8, RANK = 9;
    private static final Logger LOG = Logger.getLogger(MarketCopyRepository.class);

    @Inject
    Pool pool;
    @Inject
    DashboardConfig config;

    private volatile MarketCopy current;
    private final AtomicBoolean loading = new AtomicBoolean();

    /** The copy, or null when it is off or not loaded yet. */
    public MarketCopy current() {
        return config.marketCopy().enabled() ? current : null;
    }

    /** Starts a load unless one is running (or the copy is off); returns at once. */
    public void reload() {
        if (!config.marketCopy().enabled() || !loading.compareAndSet(false, true)) {
            return;
        }
        LocalDate today = LocalDate.now(config.ledger().zone());
        LocalDate from = today.minusDays(config.marketCopy().calendarDaysBefore());
        LocalDate to = today.plusDays(config.marketCopy().calendarDaysAfter());
        pool.preparedQuery(LOAD).execute(Tuple.of(from, to))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(rows -> copy(rows, from, to))
                .invoke(copy -> current = copy)
                .onTermination().invoke(() -> loading.set(false))
                .subscribe().with(copy -> LOG.debugf("Market copy %s loaded: %d stocks, calendar %s..%s", copy.version(),
                                copy.stocks().size(), from, to),
                        e -> LOG.warnf("Could not load the market copy (misses read the database): %s", e.toString()));
    }

    /** Reloads a copy whose calendar window no longer starts where today's would (the date has moved on). */
    public void reloadIfWindowMoved(MarketCopy copy) {
        LocalDate today = LocalDate.now(config.ledger().zone());
        if (!copy.from().equals(today.minusDays(config.marketCopy().calendarDaysBefore()))) {
            reload();
        }
    }

    private static MarketCopy copy(RowSet<Row> rows, LocalDate from, LocalDate to) {
        String version = null;
        Map<String, Stock> stocks = HashMap.newHashMap(rows.size());
        Map<String, List<MarketCopy.Dividend>> calendar = new HashMap<>();
        // One String per asset type and sector: a handful of values shared by 25,000 rows, which stay in the
        // CPU's cache where each row's own copy was one more memory read per holding of every dashboard.
        Map<String, String> shared = new HashMap<>();
        for (Row r : rows) {
            switch (r.getString(KIND).charAt(0)) {
                case 'v' -> version = r.getString(T1);
                case 's' -> stocks.put(r.getString(T1), new Stock(r.getString(T1), r.getString(T2), shared(shared, r.getString(T3)),
                        shared(shared, r.getString(T4)), decimal(r, N1), r.getLocalDate(D1), decimal(r, N2)));
                case 'c' -> {
                    CalendarRow row = new CalendarRow(r.getString(T1), r.getLocalDate(D1), r.getLocalDate(D2), decimal(r, N1),
                            r.getString(T2), r.getString(T3));
                    LocalDate paid = row.payDate() != null ? row.payDate() : row.exDate();
                    calendar.computeIfAbsent(row.symbol(), s -> new ArrayList<>(4)).add(new MarketCopy.Dividend(paid, r.getLong(RANK), row));
                }
                default -> throw new IllegalStateException("Unknown market copy row kind " + r.getString(KIND));
            }
        }
        return new MarketCopy(version, from, to, stocks, calendar);
    }

    private static String shared(Map<String, String> shared, String value) {
        return value == null ? null : shared.computeIfAbsent(value, v -> v);
    }
}
