package io.incomeplatform.mart.repository;

import io.incomeplatform.mart.config.MartConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads the staging layer from the raw schema. Each load runs in one transaction (staging is only
 * read by the refresh itself) and touches only what its {@link LoadScope} says changed: the
 * (symbol, date) pairs of raw rows fetched since the last watermark, the symbols and dates an
 * ingestion event names, or everything. In the same transaction it appends the symbols it touched
 * (or '*' for everything) to mart.changes, which the intermediate and mart builds take in.
 */
@ApplicationScoped
public class StagingRepository {

    /** Where an incremental load stands per raw table (raw.*.fetched_at already loaded). */
    public static final String PRICES = "prices";
    public static final String DIVIDENDS = "dividends";
    public static final String SHORT_POSITIONS = "short-positions";
    public static final String ETF_HOLDINGS = "etf-holdings";

    private final Pool processing;
    private final String workMem;
    private final Duration overlap;

    public StagingRepository(Pool processing, MartConfig config) {
        this.processing = processing;
        this.workMem = config.refresh().workMem();
        this.overlap = config.refresh().watermarkOverlap();
    }

    /**
     * A transaction with a larger work_mem (the full loads sort millions of rows: DISTINCT ON, GROUP BY)
     * and JIT off except for full loads: an incremental load's statements are index and range lookups whose
     * cost estimates still invite JIT compilation, which took longer than the query (290 ms against
     * 158 ms for a new day's changed bars); the full load's aggregation of 20M rows is where it may pay.
     */
    private <T> Uni<T> inTransaction(LoadScope scope, java.util.function.Function<SqlConnection, Uni<T>> work) {
        String jit = scope instanceof LoadScope.Full ? null : "off"; // null: the server's setting
        return processing.withTransaction(conn -> conn.preparedQuery(
                        "SELECT set_config('work_mem', $1, true), set_config('jit', coalesce($2::text, current_setting('jit')), true)")
                .execute(Tuple.of(workMem, jit)).chain(() -> work.apply(conn)));
    }

    /** What a load covers. */
    public sealed interface LoadScope {
        /** Every raw row. */
        record Full() implements LoadScope {
        }

        /** Raw rows fetched after the stored watermark (a previous load's start minus the overlap). */
        record SinceWatermark(int lookbackDays) implements LoadScope {
        }

        /** The named symbols (null = every symbol) between two dates, as an ingestion event reports them. */
        record Targeted(List<String> symbols, LocalDate from, LocalDate to) implements LoadScope {
        }
    }

    // --- settings ---------------------------------------------------------------------------------

    /**
     * The settings the views read. A new treemap top N is a change aimed at the treemap (rebuilt whole by
     * its next build), which no other table and not the portfolio pass reads.
     */
    public Uni<Void> writeSettings(String benchmark, int treemapTop, Map<String, List<String>> priorities) {
        List<Tuple> rows = new ArrayList<>();
        priorities.forEach((type, sources) -> {
            for (int i = 0; i < sources.size(); i++) {
                rows.add(Tuple.of(type, sources.get(i), i + 1));
            }
        });
        return processing.withTransaction(conn -> conn
                .preparedQuery("UPDATE mart.settings SET benchmark = $1 WHERE benchmark IS DISTINCT FROM $1")
                .execute(Tuple.of(benchmark))
                .chain(() -> conn.preparedQuery("""
                        WITH moved AS (UPDATE mart.settings SET treemap_top = $1 WHERE treemap_top <> $1 RETURNING 1)
                        INSERT INTO mart.changes (relation, symbol) SELECT 'mart.treemap', '*' FROM moved""")
                        .execute(Tuple.of(treemapTop)))
                .chain(() -> conn.query("DELETE FROM staging.source_priority").execute())
                .chain(() -> rows.isEmpty() ? Uni.createFrom().voidItem() : conn
                        .preparedQuery("INSERT INTO staging.source_priority (data_type, source, priority) VALUES ($1, $2, $3)")
                        .executeBatch(rows).replaceWithVoid())
                .replaceWithVoid());
    }

    // --- securities: small, always reloaded -----------------------------------------------------------

    private static final String CLEAN_SECURITIES = """
            SELECT upper(symbol), name, exchange, lower(asset_type), nullif(sector, ''), nullif(industry, ''),
                   coalesce(currency, 'USD'), market_cap, coalesce(time_zone, 'America/New_York')
            FROM raw.securities""";

    /**
     * Whether raw.securities, cleaned, differs from staging: one join by symbol that stops at the first
     * difference (two EXCEPTs hashed every row of both sides twice: 0.2-0.4 s on every refresh).
     */
    private static final String SECURITIES_CHANGED = """
            SELECT EXISTS (
                SELECT 1 FROM (%s) AS r(symbol, name, exchange, asset_type, sector, industry, currency, market_cap, time_zone)
                FULL JOIN staging.securities s ON s.symbol = r.symbol
                WHERE r.symbol IS NULL OR s.symbol IS NULL
                   OR (r.name, r.exchange, r.asset_type, r.sector, r.industry, r.currency, r.market_cap, r.time_zone)
                      IS DISTINCT FROM (s.name, s.exchange, s.asset_type, s.sector, s.industry, s.currency, s.market_cap, s.time_zone)
            ) AS changed""".formatted(CLEAN_SECURITIES);

    /** Reloads the (small) securities table, unless an incremental load finds it identical to raw. */
    public Uni<Long> loadSecurities(LoadScope scope) {
        return processing.withTransaction(conn -> {
            Uni<Boolean> changed = scope instanceof LoadScope.Full ? Uni.createFrom().item(true)
                    : conn.query(SECURITIES_CHANGED).execute().map(rs -> rs.iterator().next().getBoolean("changed"));
            return changed.chain(yes -> !yes ? Uni.createFrom().item(0L)
                    : conn.query("DELETE FROM staging.securities").execute()
                    .chain(() -> conn.query("INSERT INTO staging.securities (symbol, name, exchange, asset_type, sector, industry, "
                            + "currency, market_cap, time_zone) " + CLEAN_SECURITIES).execute())
                    .map(rs -> (long) rs.rowCount())
                    // Names and industries feed every mart (and the treemap's ranks): everything is rebuilt.
                    .call(() -> changedEverything(conn, "securities", "staging.securities")));
        });
    }

    // --- daily prices ----------------------------------------------------------------------------------

    /** The canonical bar per (symbol, date): the highest-priority source, then by name. */
    private static final String BEST_BARS = """
            SELECT DISTINCT ON (b.symbol, b.date) b.symbol, b.date, b.open, b.high, b.low, b.close, b.volume, b.source
            FROM %s
            LEFT JOIN staging.source_priority p ON p.data_type = 'prices' AND p.source = b.source
            ORDER BY b.symbol, b.date, coalesce(p.priority, 2147483647), b.source""";

    /** A day's ticks as OHLCV: first, highest, lowest and last price of the exchange date. */
    private static final String TICK_DAYS = """
            SELECT %s AS symbol, %s AS date,
                   (array_agg(t.price ORDER BY t.ts))[1] AS open, max(t.price) AS high, min(t.price) AS low,
                   (array_agg(t.price ORDER BY t.ts DESC))[1] AS close, sum(t.volume) AS volume,
                   max(t.ts) AS last_tick_ts, (array_agg(t.source ORDER BY t.ts DESC))[1] AS source
            FROM %s
            GROUP BY 1, 2""";

    /** Bars win; days with ticks only take the ticks' OHLCV. */
    private static final String INSERT_DAILY = """
            INSERT INTO staging.daily_prices
                (symbol, date, open, high, low, close, volume, last_tick_ts, from_bar, source)
            WITH bars AS (%s), ticks AS (%s)
            SELECT coalesce(b.symbol, t.symbol), coalesce(b.date, t.date),
                   CASE WHEN b.symbol IS NULL THEN t.open ELSE b.open END,
                   CASE WHEN b.symbol IS NULL THEN t.high ELSE b.high END,
                   CASE WHEN b.symbol IS NULL THEN t.low ELSE b.low END,
                   CASE WHEN b.symbol IS NULL THEN t.close ELSE b.close END,
                   CASE WHEN b.symbol IS NULL THEN t.volume ELSE b.volume END,
                   t.last_tick_ts,
                   b.symbol IS NOT NULL,
                   CASE WHEN b.symbol IS NULL THEN t.source ELSE b.source END
            FROM bars b
            FULL JOIN ticks t ON t.symbol = b.symbol AND t.date = b.date""";

    private static final String FULL_DAILY = INSERT_DAILY.formatted(
            BEST_BARS.formatted("raw.price_bars b"),
            TICK_DAYS.formatted("t.symbol", "(t.ts AT TIME ZONE coalesce(s.time_zone, 'America/New_York'))::date",
                    "raw.price_ticks t LEFT JOIN staging.securities s ON s.symbol = t.symbol"));

    /** Recomputes only the (symbol, date) pairs in changed_days; a day's ticks are found by its time range. */
    private static final String CHANGED_DAILY = INSERT_DAILY.formatted(
            BEST_BARS.formatted("changed_days c JOIN raw.price_bars b ON b.symbol = c.symbol AND b.date = c.date "
                    + "AND b.date BETWEEN $1::date AND $2::date"),
            TICK_DAYS.formatted("c.symbol", "c.date", """
                    changed_days c
                    LEFT JOIN staging.securities s ON s.symbol = c.symbol
                    JOIN raw.price_ticks t ON t.symbol = c.symbol
                     AND t.ts >= (c.date::timestamp AT TIME ZONE coalesce(s.time_zone, 'America/New_York'))
                     AND t.ts < ((c.date + 1)::timestamp AT TIME ZONE coalesce(s.time_zone, 'America/New_York'))"""));

    public Uni<Long> loadDailyPrices(LoadScope scope) {
        return inTransaction(scope, conn -> switch (scope) {
            case LoadScope.Full full -> fullDaily(conn);
            case LoadScope.SinceWatermark since -> watermark(conn, PRICES)
                    .chain(wm -> wm == null ? fullDaily(conn) : dailySince(conn, wm, since));
            // No watermark: never loaded, or emptied with the table by a crash (processing V10, both unlogged).
            case LoadScope.Targeted targeted -> watermark(conn, PRICES)
                    .chain(wm -> wm == null ? fullDaily(conn) : dailyTargeted(conn, targeted));
        });
    }

    private Uni<Long> fullDaily(SqlConnection conn) {
        return conn.query("DELETE FROM staging.daily_prices").execute()
                .chain(() -> conn.query(FULL_DAILY).execute())
                .map(rs -> (long) rs.rowCount())
                .call(() -> changedEverything(conn, "daily_prices", "staging.daily_prices"))
                .call(() -> setWatermarkToNow(conn, PRICES));
    }

    /** Bars and ticks fetched since the watermark; only recent dates, so the date and BRIN ts indexes apply. */
    private Uni<Long> dailySince(SqlConnection conn, OffsetDateTime watermark, LoadScope.SinceWatermark since) {
        return conn.preparedQuery("""
                        CREATE TEMP TABLE changed_raw ON COMMIT DROP AS
                        SELECT b.symbol, b.date, b.fetched_at FROM raw.price_bars b
                        WHERE b.date >= ($1::timestamptz - make_interval(days => $2))::date AND b.fetched_at > $1::timestamptz
                        UNION ALL
                        SELECT t.symbol, (t.ts AT TIME ZONE coalesce(s.time_zone, 'America/New_York'))::date, t.fetched_at
                        FROM raw.price_ticks t LEFT JOIN staging.securities s ON s.symbol = t.symbol
                        WHERE t.ts >= $1::timestamptz - make_interval(days => $2) AND t.fetched_at > $1::timestamptz""")
                .execute(Tuple.of(watermark, since.lookbackDays()))
                .chain(() -> conn.query("CREATE TEMP TABLE changed_days ON COMMIT DROP AS SELECT DISTINCT symbol, date FROM changed_raw").execute())
                .chain(() -> replaceChangedDays(conn))
                .call(() -> advanceWatermark(conn, PRICES));
    }

    /** The named symbols' days in [from - 1, to + 1] (a UTC date may be the exchange's previous or next day). */
    private Uni<Long> dailyTargeted(SqlConnection conn, LoadScope.Targeted t) {
        return conn.preparedQuery("""
                        CREATE TEMP TABLE changed_days ON COMMIT DROP AS
                        SELECT DISTINCT x.symbol, x.date FROM (
                            SELECT s.symbol, d::date AS date
                            FROM unnest($1::text[]) AS s(symbol), generate_series($2::date - 1, $3::date + 1, interval '1 day') AS d
                            UNION ALL
                            SELECT b.symbol, b.date FROM raw.price_bars b
                            WHERE $1::text[] IS NULL AND b.date BETWEEN $2::date - 1 AND $3::date + 1
                            UNION ALL
                            SELECT t.symbol, (t.ts AT TIME ZONE coalesce(s.time_zone, 'America/New_York'))::date
                            FROM raw.price_ticks t LEFT JOIN staging.securities s ON s.symbol = t.symbol
                            WHERE $1::text[] IS NULL AND t.ts >= ($2::date - 1)::timestamptz AND t.ts < ($3::date + 2)::timestamptz
                        ) x""")
                .execute(Tuple.of(symbolsArray(t.symbols()), t.from(), t.to()))
                .chain(() -> replaceChangedDays(conn));
    }

    /**
     * The changed days' date range is passed as values: the planner then sees how many rows it holds. A
     * new trading day is one date: its old staging rows (none) and its raw bars (appended together) are
     * read by date, not by 25,000 lookups of (symbol, date) in the 20M-row keys (1.9 s and 1.2 s at load
     * 12); a long range for a few symbols still goes by key.
     */
    private Uni<Long> replaceChangedDays(SqlConnection conn) {
        return conn.query("ANALYZE changed_days").execute()
                .chain(() -> conn.query("SELECT min(date) AS first, max(date) AS last FROM changed_days").execute())
                .map(rs -> Tuple.of(rs.iterator().next().getLocalDate("first"), rs.iterator().next().getLocalDate("last")))
                .chain(range -> conn.preparedQuery("""
                                DELETE FROM staging.daily_prices d USING changed_days c
                                WHERE d.symbol = c.symbol AND d.date = c.date AND d.date BETWEEN $1::date AND $2::date""")
                        .execute(range)
                        .chain(() -> conn.preparedQuery(CHANGED_DAILY).execute(range)))
                .map(rs -> (long) rs.rowCount())
                // The earliest day rewritten per symbol: the builds keep what only older bars determine.
                .call(() -> changedSymbols(conn, "daily_prices", "SELECT symbol, min(date) FROM changed_days GROUP BY symbol"));
    }

    // --- dividends, short positions, ETF holdings: keyed merges by source priority -------------------------

    private static final String CANONICAL_DIVIDENDS = """
            INSERT INTO staging.dividends
                (symbol, ex_date, pay_date, record_date, declared_date, amount, currency, type, source)
            SELECT d.symbol, d.ex_date,
                   (array_agg(d.pay_date ORDER BY coalesce(p.priority, 2147483647), d.source) FILTER (WHERE d.pay_date IS NOT NULL))[1],
                   (array_agg(d.record_date ORDER BY coalesce(p.priority, 2147483647), d.source) FILTER (WHERE d.record_date IS NOT NULL))[1],
                   (array_agg(d.declared_date ORDER BY coalesce(p.priority, 2147483647), d.source) FILTER (WHERE d.declared_date IS NOT NULL))[1],
                   (array_agg(d.amount ORDER BY coalesce(p.priority, 2147483647), d.source))[1],
                   (array_agg(coalesce(d.currency, 'USD') ORDER BY coalesce(p.priority, 2147483647), d.source))[1],
                   (array_agg(coalesce(d.type, 'regular') ORDER BY coalesce(p.priority, 2147483647), d.source))[1],
                   (array_agg(d.source ORDER BY coalesce(p.priority, 2147483647), d.source))[1]
            FROM %s
            LEFT JOIN staging.source_priority p ON p.data_type = 'dividends' AND p.source = d.source
            GROUP BY d.symbol, d.ex_date""";

    private static final String CANONICAL_SHORTS = """
            INSERT INTO staging.short_positions (symbol, date, short_position, source)
            SELECT DISTINCT ON (r.symbol, r.date) r.symbol, r.date, r.short_position, r.source
            FROM %s
            LEFT JOIN staging.source_priority p ON p.data_type = 'short-positions' AND p.source = r.source
            ORDER BY r.symbol, r.date, coalesce(p.priority, 2147483647), r.source""";

    /** The latest snapshot per ETF; per holding the highest-priority source of that snapshot. */
    private static final String LATEST_HOLDINGS = """
            INSERT INTO staging.etf_holdings (etf_symbol, holding_symbol, as_of, weight, shares, market_value, source)
            SELECT DISTINCT ON (h.etf_symbol, h.holding_symbol)
                   h.etf_symbol, h.holding_symbol, h.as_of, h.weight, h.shares, h.market_value, h.source
            FROM (SELECT etf_symbol, max(as_of) AS as_of FROM raw.etf_holdings %s GROUP BY etf_symbol) l
            JOIN raw.etf_holdings h ON h.etf_symbol = l.etf_symbol AND h.as_of = l.as_of
            LEFT JOIN staging.source_priority p ON p.data_type = 'etf-holdings' AND p.source = h.source
            ORDER BY h.etf_symbol, h.holding_symbol, coalesce(p.priority, 2147483647), h.source""";

    public Uni<Long> loadDividends(LoadScope scope) {
        return loadKeyed(scope, DIVIDENDS, "raw.dividends", "ex_date", "staging.dividends", "ex_date",
                CANONICAL_DIVIDENDS.formatted("raw.dividends d"),
                CANONICAL_DIVIDENDS.formatted("changed_keys c JOIN raw.dividends d ON d.symbol = c.symbol AND d.ex_date = c.key"));
    }

    public Uni<Long> loadShortPositions(LoadScope scope) {
        return loadKeyed(scope, SHORT_POSITIONS, "raw.short_positions", "date", "staging.short_positions", "date",
                CANONICAL_SHORTS.formatted("raw.short_positions r"),
                CANONICAL_SHORTS.formatted("changed_keys c JOIN raw.short_positions r ON r.symbol = c.symbol AND r.date = c.key"));
    }

    /** ETF snapshots are replaced per ETF: a new snapshot replaces every holding of the old one. */
    public Uni<Long> loadEtfHoldings(LoadScope scope) {
        return inTransaction(scope, conn -> switch (scope) {
            case LoadScope.Full full -> loadScopeFull(conn);
            case LoadScope.SinceWatermark since -> watermark(conn, ETF_HOLDINGS).chain(wm -> wm == null
                    ? loadScopeFull(conn) : conn.preparedQuery("""
                            CREATE TEMP TABLE changed_raw ON COMMIT DROP AS
                            SELECT etf_symbol AS symbol, fetched_at FROM raw.etf_holdings WHERE fetched_at > $1::timestamptz""")
                    .execute(Tuple.of(wm))
                    .chain(() -> replaceEtfs(conn, "SELECT DISTINCT symbol FROM changed_raw", Tuple.tuple()))
                    .call(() -> advanceWatermark(conn, ETF_HOLDINGS)));
            case LoadScope.Targeted t -> replaceEtfs(conn,
                    "SELECT DISTINCT etf_symbol AS symbol FROM raw.etf_holdings WHERE $1::text[] IS NULL OR etf_symbol = ANY($1::text[])",
                    Tuple.of(symbolsArray(t.symbols())));
        });
    }

    private Uni<Long> loadScopeFull(SqlConnection conn) {
        return conn.query("DELETE FROM staging.etf_holdings").execute()
                .chain(() -> conn.query(LATEST_HOLDINGS.formatted("")).execute())
                .map(rs -> (long) rs.rowCount())
                .call(() -> changedEverything(conn, "etf_holdings", "staging.etf_holdings"))
                .call(() -> setWatermarkToNow(conn, ETF_HOLDINGS));
    }

    private Uni<Long> replaceEtfs(SqlConnection conn, String changedEtfs, Tuple args) {
        return conn.preparedQuery("CREATE TEMP TABLE changed_etfs ON COMMIT DROP AS " + changedEtfs).execute(args)
                .chain(() -> conn.query("DELETE FROM staging.etf_holdings h USING changed_etfs c WHERE h.etf_symbol = c.symbol").execute())
                .chain(() -> conn.query(LATEST_HOLDINGS.formatted("WHERE etf_symbol IN (SELECT symbol FROM changed_etfs)")).execute())
                .map(rs -> (long) rs.rowCount())
                .call(() -> changedSymbols(conn, "etf_holdings", "SELECT symbol, NULL::date FROM changed_etfs"));
    }

    /**
     * Generic keyed load: staging rows are merged per (symbol, key); the changed keys are those of raw
     * rows fetched since the watermark, or every key of the targeted symbols and dates.
     */
    private Uni<Long> loadKeyed(LoadScope scope, String watermarkName, String rawTable, String rawKey,
                                String stagingTable, String stagingKey, String fullInsert, String changedInsert) {
        return inTransaction(scope, conn -> switch (scope) {
            case LoadScope.Full full -> keyedFull(conn, watermarkName, stagingTable, fullInsert);
            case LoadScope.SinceWatermark since -> watermark(conn, watermarkName).chain(wm -> wm == null
                    ? keyedFull(conn, watermarkName, stagingTable, fullInsert) : conn.preparedQuery(
                            "CREATE TEMP TABLE changed_raw ON COMMIT DROP AS SELECT symbol, " + rawKey + " AS key, fetched_at FROM "
                                    + rawTable + " WHERE fetched_at > $1::timestamptz")
                    .execute(Tuple.of(wm))
                    .chain(() -> conn.query("CREATE TEMP TABLE changed_keys ON COMMIT DROP AS SELECT DISTINCT symbol, key FROM changed_raw").execute())
                    .chain(() -> replaceKeys(conn, stagingTable, stagingKey, changedInsert))
                    .call(() -> advanceWatermark(conn, watermarkName)));
            case LoadScope.Targeted t -> conn.preparedQuery(
                            "CREATE TEMP TABLE changed_keys ON COMMIT DROP AS SELECT DISTINCT symbol, " + rawKey + " AS key FROM "
                                    + rawTable + " WHERE ($1::text[] IS NULL OR symbol = ANY($1::text[])) AND "
                                    + rawKey + " BETWEEN $2::date - 1 AND $3::date + 1")
                    .execute(Tuple.of(symbolsArray(t.symbols()), t.from(), t.to()))
                    // Keys whose raw rows vanished cannot be found in raw: also clear the staging rows in range.
                    .chain(() -> conn.preparedQuery("WITH gone AS (DELETE FROM " + stagingTable
                                    + " s WHERE ($1::text[] IS NULL OR s.symbol = ANY($1::text[])) AND s." + stagingKey
                                    + " BETWEEN $2::date - 1 AND $3::date + 1 RETURNING s.symbol) "
                                    + "INSERT INTO mart.changes (symbol, input) SELECT DISTINCT symbol, '" + input(stagingTable) + "' FROM gone")
                            .execute(Tuple.of(symbolsArray(t.symbols()), t.from(), t.to())))
                    .chain(() -> replaceKeys(conn, stagingTable, stagingKey, changedInsert));
        });
    }

    private Uni<Long> keyedFull(SqlConnection conn, String watermarkName, String stagingTable, String fullInsert) {
        return conn.query("DELETE FROM " + stagingTable).execute()
                .chain(() -> conn.query(fullInsert).execute())
                .map(rs -> (long) rs.rowCount())
                .call(() -> changedEverything(conn, input(stagingTable), stagingTable))
                .call(() -> setWatermarkToNow(conn, watermarkName));
    }

    private Uni<Long> replaceKeys(SqlConnection conn, String stagingTable, String stagingKey, String changedInsert) {
        return conn.query("DELETE FROM " + stagingTable + " s USING changed_keys c WHERE s.symbol = c.symbol AND s."
                        + stagingKey + " = c.key").execute()
                .chain(() -> conn.query(changedInsert).execute())
                .map(rs -> (long) rs.rowCount())
                .call(() -> changedSymbols(conn, input(stagingTable), "SELECT DISTINCT symbol, NULL::date FROM changed_keys"));
    }

    /**
     * After full loads (outside any transaction): a full load deletes every old row, and until a
     * vacuum reclaims them every index lookup of the next runs (a new trading day's load, the builds'
     * per-symbol lookups) wades through them; autovacuum may take long to get to a table of 20M rows.
     * Returns the number of tables vacuumed.
     */
    public Uni<Long> vacuumFullyLoaded() {
        return processing.query("VACUUM (ANALYZE) staging.daily_prices, staging.dividends, staging.short_positions, "
                + "staging.etf_holdings").execute().replaceWith(4L);
    }

    /**
     * After a run that loaded many daily prices (a trading day), outside any transaction: marks the new
     * rows' pages all-visible, so that the per-symbol reads of the covering key (processing V12) stay
     * index-only instead of visiting the heap for every day since the last vacuum (autovacuum's insert
     * threshold, a fifth of the table, is months of trading days). Only the pages written since the last
     * vacuum are scanned; nothing is dead, so the indexes are not.
     */
    public Uni<Void> vacuumDailyPrices() {
        return processing.query("VACUUM staging.daily_prices").execute().replaceWithVoid();
    }

    // --- changes: what the intermediate and mart tables rebuild next (MartRepository.build) -------------

    /**
     * Appends the symbols a load touched, in the load's transaction: the tables built from them follow.
     * input: the staging table (tables that do not read it skip the change); symbolsQuery returns each
     * symbol with the earliest date it rewrote (NULL: unknown, any date).
     */
    private static Uni<Void> changedSymbols(SqlConnection conn, String input, String symbolsQuery) {
        return conn.query("INSERT INTO mart.changes (symbol, from_date, input) SELECT *, '" + input + "' FROM (" + symbolsQuery + ") c")
                .execute().replaceWithVoid();
    }

    /** After a full load: everything changed, and the table's statistics are brought up to date for the builds' plans. */
    private static Uni<Void> changedEverything(SqlConnection conn, String input, String table) {
        return conn.query("INSERT INTO mart.changes (symbol, input) VALUES ('*', '" + input + "')").execute()
                .chain(() -> conn.query("ANALYZE " + table).execute()).replaceWithVoid();
    }

    /** The input name of a staging table in mart.changes: its name without the schema. */
    private static String input(String stagingTable) {
        return stagingTable.substring(stagingTable.indexOf('.') + 1);
    }

    // --- watermarks ---------------------------------------------------------------------------------------

    /** Null when this table was never loaded (the caller then loads everything). */
    private Uni<OffsetDateTime> watermark(SqlConnection conn, String name) {
        return conn.preparedQuery("SELECT (SELECT fetched_at FROM staging.load_watermarks WHERE name = $1) AS wm")
                .execute(Tuple.of(name))
                .map(rs -> rs.iterator().next().getOffsetDateTime("wm"));
    }

    /**
     * The next load starts after this load's start minus the overlap: a row fetched before that is
     * committed by now (ingestion transactions are shorter than the overlap), so each raw row is loaded
     * at least once and at most twice.
     */
    private Uni<Void> advanceWatermark(SqlConnection conn, String name) {
        return conn.preparedQuery("""
                        INSERT INTO staging.load_watermarks (name, fetched_at) VALUES ($1, now() - make_interval(secs => $2))
                        ON CONFLICT (name) DO UPDATE SET fetched_at = greatest(staging.load_watermarks.fetched_at, excluded.fetched_at)""")
                .execute(Tuple.of(name, (double) overlap.toSeconds())).replaceWithVoid();
    }

    private Uni<Void> setWatermarkToNow(SqlConnection conn, String name) {
        return conn.preparedQuery("""
                        INSERT INTO staging.load_watermarks (name, fetched_at) VALUES ($1, now() - make_interval(secs => $2))
                        ON CONFLICT (name) DO UPDATE SET fetched_at = excluded.fetched_at""")
                .execute(Tuple.of(name, (double) overlap.toSeconds())).replaceWithVoid();
    }

    private static String[] symbolsArray(List<String> symbols) {
        return symbols == null ? null : symbols.stream().map(s -> s.toUpperCase(java.util.Locale.ROOT)).toArray(String[]::new);
    }
}
