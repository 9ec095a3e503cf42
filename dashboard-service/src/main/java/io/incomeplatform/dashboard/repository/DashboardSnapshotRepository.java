package io.incomeplatform.dashboard.repository;

import io.incomeplatform.dashboard.service.Holdings;
import io.incomeplatform.dashboard.service.LedgerEntry;
import io.incomeplatform.dashboard.service.Profile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything one dashboard needs, read by ONE statement: the caller's ledger and profile and the
 * serving marts. One statement sees one snapshot, so a mart sync committing meanwhile is seen entirely
 * or not at all (mart-service replaces the serving tables inside one transaction), without a
 * transaction of our own; and it is one round trip where a BEGIN, seven statements and a COMMIT took three.
 * The market rows (the same for every user) usually come from this replica's {@link MarketCopy} instead,
 * checked against the version that the same statement reads.
 */
@ApplicationScoped
public class DashboardSnapshotRepository {

    public static final UUID ALL_PORTFOLIOS = new UUID(0, 0);

    public record Stock(String symbol, String name, String assetType, String sector, BigDecimal price, LocalDate priceDate,
                        BigDecimal forwardDividend) {
    }

    public record Performance(String period, String benchmark, BigDecimal portfolioReturn, BigDecimal benchmarkReturn,
                              LocalDate startDate, LocalDate asOf) {
    }

    public record Summary(String benchmark, LocalDate asOf, LocalDate firstTransactionDate, BigDecimal portfolioValue,
                          BigDecimal mwrAnnualized, OffsetDateTime computedAt) {
    }

    public record CalendarRow(String symbol, LocalDate exDate, LocalDate payDate, BigDecimal amount, String type, String status) {
    }

    /** stocks holds the held symbols' and the benchmark's rows; positions is Holdings.positions(ledger), replayed once. */
    public record Snapshot(Profile profile, List<LedgerEntry> ledger, List<Holdings.Position> positions, Map<String, Stock> stocks,
                           List<Performance> performance, Summary summary, LocalDate asOf, List<CalendarRow> upcomingDividends) {
    }

    /**
     * One row per fact, told apart by kind, in shared typed columns (a kind leaves the others null):
     * n = the named portfolio is not the caller's; f = profile; m = portfolio_summary; p = portfolio_performance;
     * l = ledger. Columns: kind, id, ref, t1, t2, t3, t4, d1, d2, n1, n2, n3, n4, ts. $1 user, $2 portfolio or
     * null, $3 scope id. The caller's rows, shared by SNAPSHOT and MISS.
     */
    private static final String USER_CTES = """
            WITH l AS (SELECT t.* FROM app.transactions t JOIN app.portfolios p ON p.id = t.portfolio_id
              WHERE t.user_id = $1 AND p.user_id = $1 AND t.deleted_at IS NULL AND p.deleted_at IS NULL AND ($2::uuid IS NULL OR t.portfolio_id = $2)),
            f AS (SELECT * FROM app.profiles WHERE user_id = $1),
            m AS (SELECT * FROM serving.portfolio_summary WHERE user_id = $1 AND scope_id = $3)
            """;
    private static final String USER_ROWS = """
            SELECT 'l', id, portfolio_id, type, symbol, NULL,NULL, trade_date,NULL::date, shares, price, fee, NULL::numeric, created_at FROM l
            UNION ALL SELECT 'p', NULL,NULL, period, benchmark, NULL,NULL, start_date, as_of, portfolio_return, benchmark_return, NULL,NULL,NULL
              FROM serving.portfolio_performance WHERE user_id = $1 AND scope_id = $3
            UNION ALL SELECT 'm', NULL,NULL, benchmark, NULL,NULL,NULL, as_of, first_transaction_date, portfolio_value, mwr_annualized, NULL,NULL, computed_at FROM m
            UNION ALL SELECT 'f', NULL,NULL, benchmark, asset_type_tax_rates::text, expenses::text, target_allocation::text, NULL,NULL,
              tax_rate, withdrawal_rate, fire_number, rebalance_threshold, updated_at FROM f
            UNION ALL SELECT 'n', NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL
              WHERE $2 IS NOT NULL AND NOT EXISTS (SELECT FROM app.portfolios WHERE id = $2 AND user_id = $1 AND deleted_at IS NULL)
            """;

    /**
     * Everything, market rows included: the user's rows and s = stocks_summary of the ledger's symbols and the
     * benchmark; c = dividend_calendar rows of the ledger's symbols paid (pay date, else ex-date) in
     * (as-of, as-of + $4 days], n2 = their rank by pay date then symbol (the server's collation, as before).
     * The as-of date is the benchmark's latest close date, else the marts' as-of, as in asOf(). The benchmark
     * is the profile's (trimmed, upper case, SPY without a profile), as Profile.withDefaults() makes it.
     * Kept under the client's 2,048-character limit for caching a prepared statement (longer SQL is parsed and
     * planned on every execution: it doubled the CPU of a miss), hence the terse style.
     */
    static final String SNAPSHOT = USER_CTES + """
            , b AS (SELECT coalesce((SELECT upper(btrim(benchmark)) FROM f), 'SPY') AS symbol),
            d AS (SELECT coalesce((SELECT price_date FROM serving.stocks_summary JOIN b USING (symbol)), (SELECT as_of FROM m)) d)
            """ + USER_ROWS + """
            UNION ALL SELECT 's', NULL,NULL, symbol, name, asset_type, sector, price_date, NULL, price, forward_dividend, NULL,NULL,NULL
              FROM serving.stocks_summary WHERE symbol IN (SELECT symbol FROM l UNION SELECT symbol FROM b)
            UNION ALL SELECT 'c', NULL,NULL, symbol, type, status, NULL, ex_date, pay_date, amount,
              row_number() OVER (ORDER BY coalesce(pay_date, ex_date), symbol, ex_date), NULL,NULL,NULL
              FROM serving.dividend_calendar, d WHERE symbol IN (SELECT symbol FROM l) AND coalesce(pay_date, ex_date) > d AND coalesce(pay_date, ex_date) <= d + $4::int""";

    /** The user's rows and v = the market rows' version (t1), for a miss answered from the {@link MarketCopy}. */
    static final String MISS = USER_CTES + USER_ROWS + "UNION ALL SELECT 'v', NULL,NULL, " + MarketCopyRepository.VERSION
            + ", NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL";

    private static final int KIND = 0, ID = 1, REF = 2, T1 = 3, T2 = 4, T3 = 5, T4 = 6, D1 = 7, D2 = 8, N1 = 9, N2 = 10, N3 = 11, N4 = 12, TS = 13;

    @Inject
    Pool pool;
    @Inject
    ProfileRepository profiles;
    @Inject
    MarketCopyRepository market;

    /**
     * The snapshot for the caller's portfolios (all of them when portfolioId is null); null when that portfolio is
     * not the caller's. With a current market copy, one statement reads the caller's rows and the copy's version;
     * an out-of-date copy (a sync committed since it was loaded) costs a second statement, SNAPSHOT, and a reload.
     */
    public Uni<Snapshot> read(UUID userId, UUID portfolioId, int upcomingDays) {
        Tuple user = Tuple.of(userId, portfolioId, portfolioId == null ? ALL_PORTFOLIOS : portfolioId);
        MarketCopy copy = market.current();
        if (copy == null) {
            market.reload();
            return readAll(user, upcomingDays);
        }
        return pool.preparedQuery(MISS).execute(user).flatMap(rows -> {
            Facts facts = facts(rows);
            if (facts.notCallers) {
                return Uni.createFrom().nullItem();
            }
            if (!copy.matches(facts.version)) {
                // Without a version (mart_status rows missing) a reload could not help.
                if (facts.version != null) {
                    market.reload();
                }
                return readAll(user, upcomingDays);
            }
            Snapshot snapshot = fromCopy(facts, copy, upcomingDays);
            if (snapshot == null) {
                market.reloadIfWindowMoved(copy);
                return readAll(user, upcomingDays);
            }
            return Uni.createFrom().item(snapshot);
        });
    }

    private Uni<Snapshot> readAll(Tuple user, int upcomingDays) {
        return pool.preparedQuery(SNAPSHOT).execute(Tuple.of(user.getValue(0), user.getValue(1), user.getValue(2), upcomingDays))
                .map(rows -> {
                    Facts facts = facts(rows);
                    if (facts.notCallers) {
                        return null;
                    }
                    return snapshot(facts, facts.stocks::get, () -> {
                        // The statement ranked the rows (n2) in the server's collation.
                        facts.calendar.sort(Comparator.comparing(r -> decimal(r, N2)));
                        List<CalendarRow> upcoming = new ArrayList<>(facts.calendar.size());
                        facts.calendar.forEach(r -> upcoming.add(new CalendarRow(r.getString(T1), r.getLocalDate(D1), r.getLocalDate(D2),
                                decimal(r, N1), r.getString(T2), r.getString(T3))));
                        return upcoming;
                    });
                });
    }

    /** The snapshot with the copy's market rows; null when the copy's calendar window does not cover the as-of date's. */
    private static Snapshot fromCopy(Facts facts, MarketCopy copy, int upcomingDays) {
        // SNAPSHOT's d: the benchmark's close date, else the marts' as-of (no calendar rows without either).
        Stock benchmark = copy.stock(facts.profile.benchmark());
        LocalDate after = benchmark != null && benchmark.priceDate() != null ? benchmark.priceDate()
                : facts.summary != null ? facts.summary.asOf() : null;
        if (after != null && !copy.covers(after, upcomingDays)) {
            return null;
        }
        return snapshot(facts, copy::stock, () -> {
            Set<String> symbols = new HashSet<>();
            facts.ledger.forEach(e -> symbols.add(e.symbol()));
            return after == null ? List.of() : copy.upcoming(symbols, after, upcomingDays);
        });
    }

    /** A statement's rows by kind (stocks and calendar: SNAPSHOT's market rows). */
    private static final class Facts {
        boolean notCallers;
        Profile profile = Profile.defaults();
        Summary summary;
        String version;
        final List<Performance> performance = new ArrayList<>(8);
        final List<LedgerEntry> ledger = new ArrayList<>();
        final Map<String, Stock> stocks = new HashMap<>();
        final List<Row> calendar = new ArrayList<>();
    }

    private Facts facts(RowSet<Row> rows) {
        Facts facts = new Facts();
        for (Row r : rows) {
            switch (r.getString(KIND).charAt(0)) {
                case 'n' -> {
                    facts.notCallers = true;
                    return facts;
                }
                case 'f' -> facts.profile = profiles.profile(r.getString(T1), decimal(r, N1), r.getString(T2), r.getString(T3),
                        decimal(r, N2), decimal(r, N3), r.getString(T4), decimal(r, N4), r.getOffsetDateTime(TS).toInstant());
                case 'm' -> facts.summary = new Summary(r.getString(T1), r.getLocalDate(D1), r.getLocalDate(D2), decimal(r, N1),
                        decimal(r, N2), r.getOffsetDateTime(TS));
                case 'p' -> facts.performance.add(new Performance(r.getString(T1), r.getString(T2), decimal(r, N1), decimal(r, N2),
                        r.getLocalDate(D1), r.getLocalDate(D2)));
                case 'l' -> facts.ledger.add(new LedgerEntry(r.getUUID(ID), r.getUUID(REF), r.getString(T1), r.getString(T2), r.getLocalDate(D1),
                        decimal(r, N1), decimal(r, N2), decimal(r, N3), r.getOffsetDateTime(TS).toInstant()));
                case 's' -> facts.stocks.put(r.getString(T1), new Stock(r.getString(T1), r.getString(T2), r.getString(T3), r.getString(T4),
                        decimal(r, N1), r.getLocalDate(D1), decimal(r, N2)));
                case 'c' -> facts.calendar.add(r);
                case 'v' -> facts.version = r.getString(T1);
                default -> throw new IllegalStateException("Unknown snapshot row kind " + r.getString(KIND));
            }
        }
        return facts;
    }

    /**
     * The snapshot of the caller's facts with the stocks of the held symbols and the benchmark (a symbol sold
     * out plays no part) and the calendar rows of the ledger's symbols (those no longer held are dropped by
     * the calculator, as before).
     */
    private static Snapshot snapshot(Facts facts, Function<String, Stock> stocks, Supplier<List<CalendarRow>> calendar) {
        Profile p = facts.profile;
        List<Holdings.Position> positions = Holdings.positions(facts.ledger);
        Map<String, Stock> held = new HashMap<>();
        for (Holdings.Position position : positions) {
            Stock stock = stocks.apply(position.symbol());
            if (stock != null) {
                held.put(position.symbol(), stock);
            }
        }
        Stock benchmark = stocks.apply(p.benchmark());
        if (benchmark != null) {
            held.put(p.benchmark(), benchmark);
        }
        List<CalendarRow> upcoming = positions.isEmpty() ? new ArrayList<>() : calendar.get();
        return new Snapshot(p, facts.ledger, positions, held, facts.performance, facts.summary, asOf(benchmark, facts.summary, held), upcoming);
    }

    /**
     * The column's NUMERIC as the driver decoded it (a BigDecimal inside its Numeric): Row.getBigDecimal would
     * print that BigDecimal and parse the text again, for the same value (toString round-trips exactly).
     * NaN, which no column here holds, goes the driver's way.
     */
    static BigDecimal decimal(Row row, int column) {
        Object value = row.getValue(column);
        if (value instanceof Numeric numeric && !numeric.isNaN()) {
            return numeric.bigDecimalValue();
        }
        return row.getBigDecimal(column);
    }

    /** The latest trading day of the profile's benchmark; else the marts' own as-of; else the newest held price date. */
    private static LocalDate asOf(Stock benchmark, Summary summary, Map<String, Stock> stocks) {
        if (benchmark != null && benchmark.priceDate() != null) {
            return benchmark.priceDate();
        }
        if (summary != null && summary.asOf() != null) {
            return summary.asOf();
        }
        return stocks.values().stream().map(Stock::priceDate).filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
    }
}
