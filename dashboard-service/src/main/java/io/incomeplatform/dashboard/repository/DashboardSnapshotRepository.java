package io.incomeplatform.dashboard.repository;

import io.incomeplatform.dashboard.config.DashboardConfig;
import io.incomeplatform.dashboard.service.DashboardCalculator;
import io.incomeplatform.dashboard.service.Holdings;
import io.incomeplatform.dashboard.service.LedgerEntry;
import io.incomeplatform.dashboard.service.LruMap;
import io.incomeplatform.dashboard.service.Profile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    /** stocks holds the held symbols' and the benchmark's rows. */
    public record Snapshot(Profile profile, Holdings.Replayed ledger, Map<String, Stock> stocks, List<Performance> performance,
                           Summary summary, LocalDate asOf, List<CalendarRow> upcomingDividends) {
    }

    /** A ledger replayed for a dashboard, and the ledger versions of the portfolios it covers (app.portfolios.ledger_version). */
    private record ReplayedLedger(String version, Holdings.Replayed replayed) {
    }

    /**
     * One row per fact, told apart by kind, in shared typed columns (a kind leaves the others null):
     * f = profile; m = portfolio_summary; p = portfolio_performance; g = the ledger versions of the scope's
     * portfolios q (t1: id:version,... by id; null without any, so for a named portfolio that is not the caller's);
     * l = ledger, unless those versions are $4 (the ledger this replica replayed for them). Columns: kind, id, ref,
     * t1, t2, t3, t4, d1, d2, n1, n2, n3, n4, ts. $1 user, $2 portfolio or null, $3 scope id, $4 ledger versions
     * or null. The caller's rows, shared by SNAPSHOT and MISS.
     */
    private static final String USER_CTES = """
            WITH q AS (SELECT id, ledger_version FROM app.portfolios WHERE user_id = $1 AND deleted_at IS NULL AND ($2::uuid IS NULL OR id = $2)),
            l AS (SELECT * FROM app.transactions WHERE user_id = $1 AND deleted_at IS NULL AND portfolio_id IN (SELECT id FROM q)),
            g AS (SELECT string_agg(id || ':' || ledger_version, ',' ORDER BY id) v FROM q),
            f AS (SELECT * FROM app.profiles WHERE user_id = $1),
            m AS (SELECT * FROM serving.portfolio_summary WHERE user_id = $1 AND scope_id = $3)
            """;
    private static final String USER_ROWS = """
            SELECT 'l', id, portfolio_id, type, symbol, NULL,NULL, trade_date,NULL::date, shares, price, fee, NULL::numeric, created_at
            FROM l WHERE (SELECT v FROM g) IS DISTINCT FROM $4::text
            UNION ALL SELECT 'g', NULL,NULL,v,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL FROM g
            UNION ALL SELECT 'p', NULL,NULL, period, benchmark, NULL,NULL, start_date, as_of, portfolio_return, benchmark_return, NULL,NULL,NULL
            FROM serving.portfolio_performance WHERE user_id = $1 AND scope_id = $3
            UNION ALL SELECT 'm', NULL,NULL, benchmark, NULL,NULL,NULL, as_of, first_transaction_date, portfolio_value, mwr_annualized, NULL,NULL, computed_at FROM m
            UNION ALL SELECT 'f', NULL,NULL, benchmark, asset_type_tax_rates::text, expenses::text, target_allocation::text, NULL,NULL,
            tax_rate, withdrawal_rate, fire_number, rebalance_threshold, updated_at FROM f
            """;

    /**
     * Everything, market rows included: the user's rows and s = stocks_summary of the ledger's symbols and the
     * benchmark; c = dividend_calendar rows of the ledger's symbols paid (pay date, else ex-date) in
     * (as-of, as-of + $5 days], n2 = their rank by pay date then symbol (the server's collation, as before).
     * The as-of date is the benchmark's latest close date, else the marts' as-of, as in asOf(). The benchmark
     * is the profile's (trimmed, upper case, SPY without a profile), as Profile.withDefaults() makes it.
     * Kept under the client's 2,048-character limit for caching a prepared statement (longer SQL is parsed and
     * planned on every execution: it doubled the CPU of a miss), hence the terse style.
     */
    static final String SNAPSHOT = USER_CTES + """
            , b AS (SELECT coalesce((SELECT upper(btrim(benchmark)) FROM f), 'SPY') symbol),
            d AS (SELECT coalesce((SELECT price_date FROM serving.stocks_summary JOIN b USING (symbol)), (SELECT as_of FROM m)) d)
            """ + USER_ROWS + """
            UNION ALL SELECT 's', NULL,NULL, symbol, name, asset_type, sector, price_date, NULL, price, forward_dividend, NULL,NULL,NULL
            FROM serving.stocks_summary WHERE symbol IN (SELECT symbol FROM l UNION SELECT symbol FROM b)
            UNION ALL SELECT 'c', NULL,NULL, symbol, type, status, NULL, ex_date, pay_date, amount,
            row_number() OVER (ORDER BY w, symbol, ex_date), NULL,NULL,NULL
            FROM (SELECT *, coalesce(pay_date, ex_date) w FROM serving.dividend_calendar) c, d WHERE symbol IN (SELECT symbol FROM l) AND w > d AND w <= d + $5::int""";

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
    @Inject
    DashboardConfig config;

    /** Ledgers replayed by this replica, by user:scope. */
    private Map<String, ReplayedLedger> replayed;

    @PostConstruct
    void init() {
        replayed = LruMap.withCapacity(config.ledger().replayedEntries());
    }

    /**
     * The snapshot for the caller's portfolios (all of them when portfolioId is null); null when that portfolio is
     * not the caller's. With a current market copy, one statement reads the caller's rows and the copy's version;
     * an out-of-date copy (a sync committed since it was loaded) costs a second statement, SNAPSHOT, and a reload.
     * The ledger rows come only when its versions differ from those of this replica's replay of it.
     */
    public Uni<Snapshot> read(UUID userId, UUID portfolioId, int upcomingDays) {
        String scope = portfolioId == null ? ALL_PORTFOLIOS.toString() : portfolioId.toString();
        String key = userId + ":" + scope;
        ReplayedLedger known = config.ledger().replayedEntries() > 0 ? replayed.get(key) : null;
        Tuple user = Tuple.of(userId, portfolioId, portfolioId == null ? ALL_PORTFOLIOS : portfolioId, known == null ? null : known.version());
        MarketCopy copy = market.current();
        if (copy == null) {
            market.reload();
            return readAll(user, key, known, upcomingDays);
        }
        return pool.preparedQuery(MISS).execute(user).flatMap(rows -> {
            Facts facts = facts(rows, portfolioId != null);
            if (facts.notCallers) {
                return Uni.createFrom().nullItem();
            }
            if (!copy.matches(facts.version)) {
                // Without a version (mart_status rows missing) a reload could not help.
                if (facts.version != null) {
                    market.reload();
                }
                return readAll(user, key, known, upcomingDays);
            }
            Snapshot snapshot = fromCopy(facts, ledger(facts, key, known), copy, upcomingDays);
            if (snapshot == null) {
                market.reloadIfWindowMoved(copy);
                return readAll(user, key, known, upcomingDays);
            }
            return Uni.createFrom().item(snapshot);
        });
    }

    /** Everything from the database (the ledger rows unless known's versions are current). */
    private Uni<Snapshot> readAll(Tuple user, String key, ReplayedLedger known, int upcomingDays) {
        Tuple all = Tuple.of(user.getValue(0), user.getValue(1), user.getValue(2), user.getValue(3), upcomingDays);
        return pool.preparedQuery(SNAPSHOT).execute(all)
                .map(rows -> {
                    Facts facts = facts(rows, user.getValue(1) != null);
                    if (facts.notCallers) {
                        return null;
                    }
                    return snapshot(facts, ledger(facts, key, known), facts.stocks::get, () -> {
                        // The statement ranked the rows (n2) in the server's collation.
                        facts.calendar.sort(Comparator.comparing(r -> decimal(r, N2)));
                        List<CalendarRow> upcoming = new ArrayList<>(facts.calendar.size());
                        facts.calendar.forEach(r -> upcoming.add(new CalendarRow(r.getString(T1), r.getLocalDate(D1), r.getLocalDate(D2),
                                decimal(r, N1), r.getString(T2), r.getString(T3))));
                        return upcoming;
                    });
                });
    }

    /**
     * The replayed ledger of the statement's snapshot: known's when the statement found its versions unchanged
     * (and so sent no ledger rows), else the rows replayed now and kept for the next miss.
     */
    private Holdings.Replayed ledger(Facts facts, String key, ReplayedLedger known) {
        if (known != null && known.version().equals(facts.ledgerVersion)) {
            return known.replayed();
        }
        Holdings.Replayed ledger = Holdings.replay(facts.ledger, DashboardCalculator.RECENT_TRANSACTIONS);
        if (facts.ledgerVersion != null && config.ledger().replayedEntries() > 0) {
            replayed.put(key, new ReplayedLedger(facts.ledgerVersion, ledger));
        }
        return ledger;
    }

    /** The snapshot with the copy's market rows; null when the copy's calendar window does not cover the as-of date's. */
    private static Snapshot fromCopy(Facts facts, Holdings.Replayed ledger, MarketCopy copy, int upcomingDays) {
        // SNAPSHOT's d: the benchmark's close date, else the marts' as-of (no calendar rows without either).
        Stock benchmark = copy.stock(facts.profile.benchmark());
        LocalDate after = benchmark != null && benchmark.priceDate() != null ? benchmark.priceDate()
                : facts.summary != null ? facts.summary.asOf() : null;
        if (after != null && !copy.covers(after, upcomingDays)) {
            return null;
        }
        return snapshot(facts, ledger, copy::stock, () -> {
            // The held symbols' rows: the calculator drops those of symbols no longer held.
            List<String> symbols = new ArrayList<>(ledger.positions().size());
            ledger.positions().forEach(position -> symbols.add(position.symbol()));
            return after == null ? List.of() : copy.upcoming(symbols, after, upcomingDays);
        });
    }

    /** A statement's rows by kind (stocks and calendar: SNAPSHOT's market rows). */
    private static final class Facts {
        boolean notCallers;
        Profile profile = Profile.defaults();
        Summary summary;
        String version;
        String ledgerVersion;
        final List<Performance> performance = new ArrayList<>(8);
        final List<LedgerEntry> ledger = new ArrayList<>();
        final Map<String, Stock> stocks = new HashMap<>();
        final List<Row> calendar = new ArrayList<>();
    }

    /** The statement's rows; for a named portfolio (scoped), no ledger versions means it is not one of the caller's. */
    private Facts facts(RowSet<Row> rows, boolean scoped) {
        Facts facts = new Facts();
        for (Row r : rows) {
            switch (r.getString(KIND).charAt(0)) {
                case 'f' -> facts.profile = profiles.profile(r.getString(T1), decimal(r, N1), r.getString(T2), r.getString(T3),
                        decimal(r, N2), decimal(r, N3), r.getString(T4), decimal(r, N4), r.getOffsetDateTime(TS).toInstant());
                case 'm' -> facts.summary = new Summary(r.getString(T1), r.getLocalDate(D1), r.getLocalDate(D2), decimal(r, N1),
                        decimal(r, N2), r.getOffsetDateTime(TS));
                case 'p' -> facts.performance.add(new Performance(r.getString(T1), r.getString(T2), decimal(r, N1), decimal(r, N2),
                        r.getLocalDate(D1), r.getLocalDate(D2)));
                case 'l' -> facts.ledger.add(new LedgerEntry(r.getUUID(ID), r.getUUID(REF), r.getString(T1), r.getString(T2), r.getLocalDate(D1),
                        decimal(r, N1), decimal(r, N2), decimal(r, N3), r.getOffsetDateTime(TS).toInstant()));
                case 'g' -> facts.ledgerVersion = r.getString(T1);
                case 's' -> facts.stocks.put(r.getString(T1), new Stock(r.getString(T1), r.getString(T2), r.getString(T3), r.getString(T4),
                        decimal(r, N1), r.getLocalDate(D1), decimal(r, N2)));
                case 'c' -> facts.calendar.add(r);
                case 'v' -> facts.version = r.getString(T1);
                default -> throw new IllegalStateException("Unknown snapshot row kind " + r.getString(KIND));
            }
        }
        facts.notCallers = scoped && facts.ledgerVersion == null;
        return facts;
    }

    /**
     * The snapshot of the caller's facts and replayed ledger, with the stocks of the held symbols and the
     * benchmark (a symbol sold out plays no part) and the upcoming calendar rows.
     */
    private static Snapshot snapshot(Facts facts, Holdings.Replayed ledger, Function<String, Stock> stocks, Supplier<List<CalendarRow>> calendar) {
        Profile p = facts.profile;
        Map<String, Stock> held = HashMap.newHashMap(ledger.positions().size() + 1);
        for (Holdings.Position position : ledger.positions()) {
            Stock stock = stocks.apply(position.symbol());
            if (stock != null) {
                held.put(position.symbol(), stock);
            }
        }
        Stock benchmark = stocks.apply(p.benchmark());
        if (benchmark != null) {
            held.put(p.benchmark(), benchmark);
        }
        List<CalendarRow> upcoming = ledger.positions().isEmpty() ? new ArrayList<>() : calendar.get();
        return new Snapshot(p, ledger, held, facts.performance, facts.summary, asOf(benchmark, facts.summary, held), upcoming);
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
