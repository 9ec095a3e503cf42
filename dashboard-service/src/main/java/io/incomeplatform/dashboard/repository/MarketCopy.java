package io.incomeplatform.dashboard.repository;

import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository.CalendarRow;
import io.incomeplatform.dashboard.repository.DashboardSnapshotRepository.Stock;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * This replica's copy of the market rows a dashboard reads, never changed once loaded: every serving.stocks_summary row
 * (the columns the dashboard uses) and the dividend_calendar rows paid (pay date, else ex-date) in
 * [from, to], as one statement saw them. version is the xmin of the stocks_summary and dividend_calendar
 * rows of serving.mart_status in that statement (null when either row is missing: never matches), which
 * mart-service rewrites in the transaction of every sync of those marts.
 *
 * @param calendar the window's rows by symbol
 */
public record MarketCopy(String version, LocalDate from, LocalDate to, Map<String, Stock> stocks,
                         Map<String, List<Dividend>> calendar) {

    /** A calendar row with its pay date (else ex-date) and its rank in the window by that date, symbol, ex-date (the server's collation). */
    public record Dividend(LocalDate paid, long rank, CalendarRow row) {
    }

    /** Whether the copy's version is the one the database has now (a copy without a version never is). */
    public boolean matches(String currentVersion) {
        return version != null && version.equals(currentVersion);
    }

    public Stock stock(String symbol) {
        return stocks.get(symbol);
    }

    /** Whether the window holds every row paid in (after, after + days]. */
    public boolean covers(LocalDate after, int days) {
        return !after.plusDays(1).isBefore(from) && !after.plusDays(days).isAfter(to);
    }

    /**
     * The rows of these symbols paid in (after, after + days], ordered as the snapshot statement orders
     * them (pay date, symbol, ex-date): a subset keeps the window's order. Check {@link #covers} first.
     */
    public List<CalendarRow> upcoming(Collection<String> symbols, LocalDate after, int days) {
        LocalDate last = after.plusDays(days);
        List<Dividend> found = new ArrayList<>();
        for (String symbol : symbols) {
            for (Dividend d : calendar.getOrDefault(symbol, List.of())) {
                if (d.paid().isAfter(after) && !d.paid().isAfter(last)) {
                    found.add(d);
                }
            }
        }
        found.sort(Comparator.comparingLong(Dividend::rank));
        List<CalendarRow> rows = new ArrayList<>(found.size());
        found.forEach(d -> rows.add(d.row()));
        return rows;
    }
}
