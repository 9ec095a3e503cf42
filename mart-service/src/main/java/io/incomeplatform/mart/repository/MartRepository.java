package io.incomeplatform.mart.repository;

import io.incomeplatform.mart.service.MartCatalog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/** The intermediate and mart tables of the processing database (built from their source views), their runs and data tests. */
@ApplicationScoped
public class MartRepository {

    /** Key of the session-level advisory lock that lets one refresh run at a time across replicas. */
    public static final long REFRESH_LOCK_KEY = 0x6d617274_72667368L;

    private final Pool processing;

    public MartRepository(Pool processing) {
        this.processing = processing;
    }

    /**
     * Tries to take the refresh lock on a dedicated connection; the lock lives as long as that session,
     * so a crashed replica releases it with its connection. Emits null when another session holds it.
     */
    public Uni<SqlConnection> tryRefreshLock() {
        return processing.getConnection().chain(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked")
                .execute(Tuple.of(REFRESH_LOCK_KEY))
                .chain(rs -> {
                    if (rs.iterator().next().getBoolean("locked")) {
                        return Uni.createFrom().item(conn);
                    }
                    return conn.close().replaceWith((SqlConnection) null);
                })
                .onFailure().call(conn::close));
    }

    public Uni<Void> releaseRefreshLock(SqlConnection lockConnection) {
        return lockConnection.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(REFRESH_LOCK_KEY))
                .onItemOrFailure().call((ignored, failure) -> lockConnection.close())
                .replaceWithVoid();
    }

    /**
     * How a table is maintained: its source view ({@code relation + "_source"}), unique key, the symbol
     * column a partial rebuild is scoped by (null: always whole), for a mart the column whose changed
     * values are recorded for its sync, the staging inputs it reads (mart.changes.input; "as_of" when it
     * depends on the as-of date; null: every change), what a forward move of the as-of date changes
     * (asOfScope: the symbols it changes, from {@code $1} = the as-of the table was built for to the
     * current one; null: every symbol), and the source of an advance (null: none): the table's new rows
     * for the symbols of the temporary table build_scope (the changed symbols, and after an as-of move
     * asOfScope's), from the changes in changed_symbols and the as-of {@code $1}; for a table always built
     * whole (no scope column), its whole new rows when no change of everything is pending.
     */
    private record Table(List<String> keys, String scopeColumn, String syncColumn, List<String> inputs,
                         String asOfScope, String advance) {
        Table(List<String> keys, String scopeColumn, String syncColumn, List<String> inputs) {
            this(keys, scopeColumn, syncColumn, inputs, null, null);
        }

        boolean readsAsOf() {
            return inputs == null || inputs.contains(AS_OF);
        }
    }

    /** The input name of an as-of move in mart.changes (symbol '*', from_date = the as-of it moved from). */
    private static final String AS_OF = "as_of";

    /** Symbols with a dividend whose ex-date entered or left the trailing 365 days, or passed the as-of (future ones). */
    private static final String DIVIDEND_WINDOW_MOVED = """
            SELECT d.symbol FROM staging.dividends d, intermediate.as_of a
            WHERE d.ex_date > $1::date - 365 AND d.ex_date <= a.as_of - 365
               OR d.ex_date > $1::date AND d.ex_date <= a.as_of""";

    /**
     * Projections keep ex-dates last + k x gap in (as_of, as_of + 365]: the set moves when a step passes
     * either end (the number of steps to each end changes; a symbol whose last regular ex-date is after the
     * old as-of, where these day counts turn negative, is in the first set already).
     */
    private static final String PROJECTION_MOVED = DIVIDEND_WINDOW_MOVED + """

            UNION
            SELECT ds.symbol FROM intermediate.dividend_stats ds, intermediate.as_of a
            WHERE ds.frequency IS NOT NULL AND NOT ds.has_future_dividend AND ds.median_gap_days > 0
              AND ((a.as_of - ds.last_regular_ex_date) / ds.median_gap_days <> ($1::date - ds.last_regular_ex_date) / ds.median_gap_days
                   OR (a.as_of + 365 - ds.last_regular_ex_date) / ds.median_gap_days
                      <> ($1::date + 365 - ds.last_regular_ex_date) / ds.median_gap_days)""";

    /** Statuses turn from announced to paid when the pay date (else the ex-date) passes the as-of. */
    private static final String CALENDAR_MOVED = PROJECTION_MOVED + """

            UNION
            SELECT d.symbol FROM staging.dividends d, intermediate.as_of a
            WHERE coalesce(d.pay_date, d.ex_date) > $1::date AND coalesce(d.pay_date, d.ex_date) <= a.as_of""";

    /**
     * price_stats carried forward from the bars its rows have not seen: those from the symbol's earliest
     * changed day, and for every symbol those after the as-of the table was built for ({@code $1}). A new
     * day's bars are read in date order (one index range, their heap rows appended together), the few
     * symbols with older changes by symbol. Latest and previous close come from the bars newer than the
     * old latest one (re-read by symbol when a bar at or before it changed); the first close is re-read
     * only when a bar at or before it changed; the 52-week range is the old one widened by the unseen
     * bars inside the window, read from the whole window only where the old extreme left it, its bar
     * changed, or the row predates the extreme dates. Ties keep the latest day holding the extreme,
     * which leaves the window last (as the view: the largest (high, day) and smallest (low, -day) pairs).
     */
    private static final String ADVANCE_PRICE_STATS = """
            WITH sc AS MATERIALIZED (
                SELECT b.symbol, c.symbol IS NOT NULL AS changed, c.from_date,
                       least(CASE WHEN c.symbol IS NOT NULL THEN coalesce(c.from_date, '-infinity') END, $1::date + 1) AS unseen_from
                FROM build_scope b LEFT JOIN changed_symbols c ON c.symbol = b.symbol),
            -- planned on its own: one range of the date index, not a lookup per symbol
            after_as_of AS MATERIALIZED (
                SELECT d.symbol, d.date, d.high, d.low, d.close, d.volume, d.last_tick_ts, d.source
                FROM staging.daily_prices d WHERE d.date >= $1::date + 1),
            recent AS MATERIALIZED (
                SELECT d.* FROM after_as_of d JOIN sc ON sc.symbol = d.symbol WHERE sc.unseen_from = $1::date + 1
                UNION ALL
                SELECT d.symbol, d.date, d.high, d.low, d.close, d.volume, d.last_tick_ts, d.source
                FROM sc JOIN staging.daily_prices d ON d.symbol = sc.symbol AND d.date >= sc.unseen_from
                WHERE sc.unseen_from < $1::date + 1),
            unseen AS (
                SELECT r.symbol,
                       count(*) FILTER (WHERE r.date > o.latest_date) AS newer,
                       (array_agg(r.date ORDER BY r.date DESC))[1] AS date1,
                       (array_agg(r.close ORDER BY r.date DESC))[1] AS close1,
                       (array_agg(r.close ORDER BY r.date DESC))[2] AS close2,
                       (array_agg(r.volume ORDER BY r.date DESC))[1] AS volume1,
                       (array_agg(r.last_tick_ts ORDER BY r.date DESC))[1] AS ts1,
                       (array_agg(r.source ORDER BY r.date DESC))[1] AS source1,
                       max(r.high) FILTER (WHERE r.date > a.as_of - 365 AND r.date <= a.as_of) AS high,
                       min(r.low) FILTER (WHERE r.date > a.as_of - 365 AND r.date <= a.as_of) AS low,
                       date '2000-01-01' + ((max(ARRAY[r.high, r.date - date '2000-01-01'])
                            FILTER (WHERE r.date > a.as_of - 365 AND r.date <= a.as_of))[2])::int AS high_date,
                       date '2000-01-01' - ((min(ARRAY[r.low, date '2000-01-01' - r.date])
                            FILTER (WHERE r.date > a.as_of - 365 AND r.date <= a.as_of))[2])::int AS low_date
                FROM recent r CROSS JOIN intermediate.as_of a LEFT JOIN intermediate.price_stats o ON o.symbol = r.symbol
                GROUP BY r.symbol)
            SELECT sc.symbol,
                   CASE WHEN r.latest_changed THEN l.date WHEN n.newer > 0 THEN n.date1 ELSE o.latest_date END,
                   CASE WHEN r.latest_changed THEN l.close WHEN n.newer > 0 THEN n.close1 ELSE o.latest_close END,
                   CASE WHEN r.latest_changed THEN l.volume WHEN n.newer > 0 THEN n.volume1 ELSE o.latest_volume END,
                   CASE WHEN r.latest_changed THEN l.last_tick_ts WHEN n.newer > 0 THEN n.ts1 ELSE o.latest_ts END,
                   CASE WHEN r.latest_changed THEN l.source WHEN n.newer > 0 THEN n.source1 ELSE o.latest_source END,
                   CASE WHEN r.latest_changed THEN p.close WHEN n.newer > 1 THEN n.close2 WHEN n.newer = 1 THEN o.latest_close
                        ELSE o.previous_close END,
                   CASE WHEN r.first_changed THEN f.date ELSE o.first_date END,
                   CASE WHEN r.first_changed THEN f.close ELSE o.first_close END,
                   CASE WHEN r.whole_window THEN w.high ELSE greatest(o.high_52w, n.high) END,
                   CASE WHEN r.whole_window THEN w.low ELSE least(o.low_52w, n.low) END,
                   CASE WHEN r.whole_window THEN w.high_date WHEN n.high >= o.high_52w THEN n.high_date ELSE o.high_52w_date END,
                   CASE WHEN r.whole_window THEN w.low_date WHEN n.low <= o.low_52w THEN n.low_date ELSE o.low_52w_date END
            FROM sc
            CROSS JOIN intermediate.as_of a
            LEFT JOIN intermediate.price_stats o ON o.symbol = sc.symbol
            LEFT JOIN unseen n ON n.symbol = sc.symbol
            CROSS JOIN LATERAL (
                SELECT sc.changed AND (o.symbol IS NULL OR sc.from_date IS NULL OR sc.from_date <= o.latest_date) AS latest_changed,
                       sc.changed AND (o.symbol IS NULL OR sc.from_date IS NULL OR sc.from_date <= o.first_date) AS first_changed,
                       o.symbol IS NULL OR o.high_52w_date IS NULL OR o.low_52w_date IS NULL
                       OR least(o.high_52w_date, o.low_52w_date) <= a.as_of - 365
                       OR greatest(o.high_52w_date, o.low_52w_date) > a.as_of
                       OR sc.changed AND (sc.from_date IS NULL OR sc.from_date <= greatest(o.high_52w_date, o.low_52w_date))
                           AS whole_window) r
            LEFT JOIN LATERAL (SELECT d.date, d.close, d.volume, d.last_tick_ts, d.source FROM staging.daily_prices d
                               WHERE r.latest_changed AND d.symbol = sc.symbol ORDER BY d.date DESC LIMIT 1) l ON true
            LEFT JOIN LATERAL (SELECT d.close FROM staging.daily_prices d
                               WHERE r.latest_changed AND d.symbol = sc.symbol AND d.date < l.date ORDER BY d.date DESC LIMIT 1) p ON true
            LEFT JOIN LATERAL (SELECT d.date, d.close FROM staging.daily_prices d
                               WHERE r.first_changed AND d.symbol = sc.symbol ORDER BY d.date LIMIT 1) f ON true
            LEFT JOIN LATERAL (SELECT max(d.high) AS high, min(d.low) AS low,
                                      date '2000-01-01' + ((max(ARRAY[d.high, d.date - date '2000-01-01']))[2])::int AS high_date,
                                      date '2000-01-01' - ((min(ARRAY[d.low, date '2000-01-01' - d.date]))[2])::int AS low_date
                               FROM staging.daily_prices d
                               WHERE r.whole_window AND d.symbol = sc.symbol AND d.date > a.as_of - 365 AND d.date <= a.as_of) w ON true
            WHERE CASE WHEN r.latest_changed THEN l.date IS NOT NULL ELSE o.symbol IS NOT NULL END""";

    /** The periods with a start before the as-of (intermediate.period_starts; 'max' starts at the first close). */
    private static final List<String> RETURN_PERIODS = List.of("1m", "3m", "6m", "1y", "2y", "5y");

    /**
     * period_closes carried forward: a start that moved from the old as-of's start S0 to S1 closes at the
     * symbol's last bar in (S0, S1] if any (read in date order, index-only, for all symbols at once), else
     * where it did; looked up from history only when a bar on or before S1 changed or the old row is
     * missing or was not built for the old as-of. 'max' starts at the first close.
     */
    private static final String ADVANCE_PERIOD_CLOSES = """
            WITH starts AS (SELECT st.period, st.start_date, ($1::date - make_interval(months => st.months))::date AS old_start
                            FROM intermediate.period_starts st WHERE st.period <> 'max'),
            s AS (SELECT %s FROM starts),
            moved AS MATERIALIZED (
                -- byte order ("C"): the same groups, sorted several times faster than by the database's collation
                -- per start its own range of the index (LATERAL ... OFFSET 0: never a scan of the table)
                SELECT DISTINCT ON (st.period, d.symbol COLLATE "C") st.period, d.symbol, d.close
                FROM starts st CROSS JOIN LATERAL (SELECT d.symbol, d.date, d.close FROM staging.daily_prices d
                                                   WHERE d.date > st.old_start AND d.date <= st.start_date OFFSET 0) d
                ORDER BY st.period, d.symbol COLLATE "C", d.date DESC),
            m AS (SELECT symbol, %s FROM moved GROUP BY symbol)
            SELECT ps.symbol, a.as_of, ps.latest_close, %s, ps.first_close
            FROM build_scope b
            JOIN intermediate.price_stats ps ON ps.symbol = b.symbol
            CROSS JOIN intermediate.as_of a
            CROSS JOIN s
            LEFT JOIN changed_symbols cs ON cs.symbol = ps.symbol
            LEFT JOIN intermediate.period_closes o ON o.symbol = ps.symbol
            LEFT JOIN m ON m.symbol = ps.symbol""".formatted(
            String.join(", ", RETURN_PERIODS.stream().map(p -> "max(start_date) FILTER (WHERE period = '%1$s') AS start_%1$s, "
                    .formatted(p) + "max(old_start) FILTER (WHERE period = '%1$s') AS old_%1$s".formatted(p)).toList()),
            String.join(", ", RETURN_PERIODS.stream().map(p -> "max(close) FILTER (WHERE period = '%1$s') AS close_%1$s".formatted(p)).toList()),
            String.join(",\n                   ", RETURN_PERIODS.stream().map(p -> """
                    CASE WHEN o.as_of = $1::date AND s.old_%1$s <= s.start_%1$s AND (cs.symbol IS NULL OR cs.from_date > s.start_%1$s)
                         THEN coalesce(m.close_%1$s, o.close_%1$s)
                         ELSE (SELECT d.close FROM staging.daily_prices d WHERE d.symbol = ps.symbol AND d.date <= s.start_%1$s
                               ORDER BY d.date DESC LIMIT 1) END""".formatted(p)).toList()));

    /**
     * The symbols whose short rows a forward move of the as-of date changes: those with a short position
     * between a period's old start (from the as-of {@code $1}) and its new one (the date index, no
     * per-symbol reads). Their new start positions come from ADVANCE_PERIOD_SHORTS.
     */
    private static final String SHORT_STARTS_MOVED = """
            SELECT DISTINCT sp.symbol
            FROM intermediate.period_starts st
            CROSS JOIN LATERAL (SELECT sp.symbol FROM staging.short_positions sp
                                WHERE sp.date > ($1::date - make_interval(months => st.months))::date AND sp.date <= st.start_date
                                OFFSET 0) sp
            WHERE st.period IN ('3m', '6m', '1y', '2y', '5y')""";

    /**
     * period_shorts carried forward over build_scope (the changed symbols and SHORT_STARTS_MOVED's): a start
     * that moved from S0 to S1 takes the symbol's last short position in (S0, S1] (read in date order for
     * all symbols at once), the latest and first positions stay; rebuilt from history (the source view)
     * only for symbols whose short positions changed (or without rows). The rows of the other symbols
     * are those of the as-of {@code $1} the table was built for.
     */
    private static final String ADVANCE_PERIOD_SHORTS = """
            WITH starts AS (SELECT st.period, st.start_date, ($1::date - make_interval(months => st.months))::date AS old_start
                            FROM intermediate.period_starts st WHERE st.period IN ('3m', '6m', '1y', '2y', '5y', 'max')),
            rebuilt AS MATERIALIZED (
                SELECT b.symbol FROM build_scope b
                WHERE EXISTS (SELECT 1 FROM changed_symbols c WHERE c.symbol = b.symbol)
                   OR NOT EXISTS (SELECT 1 FROM intermediate.period_shorts o WHERE o.symbol = b.symbol)),
            moved AS MATERIALIZED (
                SELECT DISTINCT ON (st.period, sp.symbol COLLATE "C") st.period, sp.symbol, sp.short_position
                FROM starts st CROSS JOIN LATERAL (SELECT sp.symbol, sp.date, sp.short_position FROM staging.short_positions sp
                                                   WHERE sp.date > st.old_start AND sp.date <= st.start_date OFFSET 0) sp
                ORDER BY st.period, sp.symbol COLLATE "C", sp.date DESC)
            SELECT v.* FROM intermediate.period_shorts_source v WHERE v.symbol IN (SELECT symbol FROM rebuilt)
            UNION ALL
            SELECT o.symbol, o.period, coalesce(m.short_position, o.start_position), o.latest_position,
                   o.latest_position - coalesce(m.short_position, o.start_position)
            FROM build_scope b
            JOIN intermediate.period_shorts o ON o.symbol = b.symbol
            LEFT JOIN moved m ON m.period = o.period AND m.symbol = o.symbol
            WHERE NOT EXISTS (SELECT 1 FROM rebuilt r WHERE r.symbol = b.symbol)""";

    /**
     * The input name of a change period_shorts records for the treemap when its build wrote rows (relation
     * mart.treemap, symbol '*'): the treemap's short rows must be ranked again.
     */
    private static final String PERIOD_SHORTS = "period_shorts";

    /**
     * The treemap with its short rows as they are (period_shorts did not change) and its price rows ranked
     * again: those of the industries of the symbols {@code $1} whose prices changed (the as-of did not
     * move), the others as they are; every industry when {@code $1} is NULL.
     */
    private static final String TREEMAP_SHORTS_KEPT = """
            WITH touched AS MATERIALIZED (
                SELECT CASE WHEN $1::text[] IS NOT NULL THEN array_agg(DISTINCT coalesce(s.industry, 'Unknown')) END AS industries
                FROM staging.securities s WHERE s.symbol = ANY($1::text[]))
            SELECT p.* FROM touched, mart.treemap_prices(touched.industries) p
            UNION ALL
            SELECT t.* FROM mart.treemap t, touched
            WHERE t.metric = 'short' OR touched.industries IS NOT NULL AND t.industry <> ALL (touched.industries)""";

    private static final List<String> PRICES = List.of("daily_prices", AS_OF);
    private static final List<String> DIVIDENDS = List.of("dividends", AS_OF);

    /** Relation names come from {@link MartCatalog} only, never from a request. */
    private static final Map<String, Table> TABLES = Map.ofEntries(
            Map.entry("intermediate.as_of", new Table(List.of("id"), null, null, null)),
            Map.entry("intermediate.price_stats", new Table(List.of("symbol"), "symbol", null, PRICES,
                    null, ADVANCE_PRICE_STATS)),
            Map.entry("intermediate.period_closes", new Table(List.of("symbol"), "symbol", null, PRICES,
                    null, ADVANCE_PERIOD_CLOSES)),
            Map.entry("intermediate.period_shorts", new Table(List.of("symbol", "period"), "symbol", null,
                    List.of("short_positions", AS_OF), SHORT_STARTS_MOVED, ADVANCE_PERIOD_SHORTS)),
            Map.entry("intermediate.dividend_stats", new Table(List.of("symbol"), "symbol", null, DIVIDENDS,
                    DIVIDEND_WINDOW_MOVED, null)),
            Map.entry("intermediate.projected_dividends", new Table(List.of("symbol", "ex_date"), "symbol", null, DIVIDENDS,
                    PROJECTION_MOVED, null)),
            // Latest and previous close do not depend on the as-of.
            Map.entry("mart.market_latest", new Table(List.of("symbol"), "symbol", "symbol", List.of("daily_prices"))),
            // as_of is a column; change_1y and the TTM yield move with it too: every row.
            Map.entry("mart.stocks_summary", new Table(List.of("symbol"), "symbol", "symbol",
                    List.of("daily_prices", "dividends", AS_OF))),
            Map.entry("mart.dividend_calendar", new Table(List.of("symbol", "ex_date"), "symbol", "symbol", DIVIDENDS,
                    CALENDAR_MOVED, null)),
            Map.entry("mart.etf_holdings", new Table(List.of("etf_symbol", "holding_symbol"), "etf_symbol", "etf_symbol",
                    List.of("etf_holdings"))),
            // Always whole: the top N per group, ranked over all symbols, from period_returns and period_shorts
            // (period_shorts records a change for it when it wrote rows). Its short rows are ranked again
            // only after such a change (or one of everything); otherwise they are kept, and so are the price
            // rows of industries without a price change while the as-of stays: TREEMAP_SHORTS_KEPT.
            Map.entry("mart.treemap", new Table(List.of("period", "metric", "symbol"), null, "symbol",
                    List.of("daily_prices", PERIOD_SHORTS, AS_OF), null, TREEMAP_SHORTS_KEPT)));

    /**
     * Marts that are views over another mart (processing V8): nothing to build; the mart they project
     * records its changed symbols for their serving copies too.
     */
    private static final Map<String, String> PROJECTIONS = Map.of("mart.screener_results", "mart.stocks_summary");

    /** How a build went: the table's rows, whether it was rebuilt whole, the symbols it was scoped to, rows written. */
    public record Built(long rows, boolean whole, int symbols, long changedRows) {
    }

    /** Changes a relation has not taken in yet; symbols is null when they are everything or too many. */
    public record Pending(long uptoId, boolean any, List<String> symbols) {
        public boolean everything() {
            return symbols == null;
        }
    }

    /**
     * The changes a table reads (of its inputs), after its mark, up to uptoId (every change after the mark,
     * those it does not read included, so that the mark moves past them). asOfFrom: the as-of the table
     * was built for when the as-of moved forward since (null: it did not move); everything: a change of
     * every symbol; symbols: the changed symbols, null when more than the maximum. A change aimed at the
     * table itself (relation = the table, e.g. a new mart.treemap.top) counts as one of its inputs.
     */
    private record Inputs(long uptoId, boolean any, boolean everything, LocalDate asOfFrom, List<String> symbols) {
    }

    private static Uni<Inputs> inputs(SqlConnection conn, String relation, List<String> inputs, int maxSymbols) {
        return conn.preparedQuery("""
                        SELECT max(c.id) AS upto, count(*) FILTER (WHERE r.reads) > 0 AS any,
                               coalesce(bool_or(r.reads AND c.symbol = '*' AND (c.input IS DISTINCT FROM 'as_of' OR c.from_date IS NULL)), false)
                                   AS everything,
                               min(c.from_date) FILTER (WHERE r.reads AND c.symbol = '*' AND c.input = 'as_of') AS as_of_from,
                               CASE WHEN count(DISTINCT c.symbol) FILTER (WHERE r.reads AND c.symbol <> '*') <= $3
                                    THEN coalesce(array_agg(DISTINCT c.symbol) FILTER (WHERE r.reads AND c.symbol <> '*'), '{}') END AS symbols
                        FROM mart.change_marks m
                        JOIN mart.changes c ON c.id > m.done_id AND (c.relation IS NULL OR c.relation = m.relation)
                        CROSS JOIN LATERAL (SELECT $2::text[] IS NULL OR c.input IS NULL OR c.input = 'securities'
                                                   OR c.input = ANY($2::text[]) AS reads) r
                        WHERE m.relation = $1""")
                .execute(Tuple.of(relation, inputs == null ? null : inputs.toArray(String[]::new), maxSymbols))
                .map(rs -> {
                    Row row = rs.iterator().next();
                    Long upto = row.getLong("upto");
                    if (upto == null) {
                        return new Inputs(0, false, false, null, List.of());
                    }
                    String[] symbols = row.getArrayOfStrings("symbols");
                    return new Inputs(upto, row.getBoolean("any"), row.getBoolean("everything"), row.getLocalDate("as_of_from"),
                            symbols == null ? null : List.of(symbols));
                });
    }

    /** Changes after the relation's mark: general ones (inputs of every table) or those recorded for it (a sync). */
    private static Uni<Pending> pending(SqlConnection conn, String relation, boolean general, int maxSymbols) {
        return conn.preparedQuery("""
                        SELECT max(c.id) AS upto, bool_or(c.symbol = '*') AS everything,
                               CASE WHEN count(DISTINCT c.symbol) <= $3 THEN array_agg(DISTINCT c.symbol) END AS symbols
                        FROM mart.change_marks m
                        JOIN mart.changes c ON c.id > m.done_id AND CASE WHEN $2 THEN c.relation IS NULL ELSE c.relation = m.relation END
                        WHERE m.relation = $1""")
                .execute(Tuple.of(relation, general, maxSymbols))
                .map(rs -> {
                    Row row = rs.iterator().next();
                    Long upto = row.getLong("upto");
                    if (upto == null) {
                        return new Pending(0, false, List.of());
                    }
                    String[] symbols = row.getArrayOfStrings("symbols");
                    return new Pending(upto, true, Boolean.TRUE.equals(row.getBoolean("everything")) || symbols == null
                            ? null : List.of(symbols));
                });
    }

    /** What a mart's sync has to copy: the symbols whose rows changed since its last sync, or everything. */
    public Uni<Pending> pendingSync(MartCatalog.Mart mart, int maxSymbols) {
        return processing.withConnection(conn -> pending(conn, "serving." + mart.name(), false, maxSymbols));
    }

    /** After a sync committed: its changes are on the serving side. */
    public Uni<Void> markSynced(MartCatalog.Mart mart, long uptoId) {
        return processing.withConnection(conn -> markDone(conn, "serving." + mart.name(), uptoId));
    }

    /**
     * Staging changes a consumer outside the mart tables (the portfolio pass: relation "portfolio") has
     * not taken in yet; symbols is null when everything changed or more than maxSymbols did.
     */
    public Uni<Pending> pendingInputs(String consumer, int maxSymbols) {
        return processing.withConnection(conn -> pending(conn, consumer, true, maxSymbols));
    }

    /** After the consumer took in every change up to uptoId. */
    public Uni<Void> markInputsTaken(String consumer, long uptoId) {
        return processing.withConnection(conn -> markDone(conn, consumer, uptoId));
    }

    /** The latest change id (a full copy covers every change up to it). */
    public Uni<Long> latestChange() {
        return processing.query("SELECT coalesce(max(id), 0) AS id FROM mart.changes").execute()
                .map(rs -> rs.iterator().next().getLong("id"));
    }

    /** Whether any table or sync has changes it has not taken in (the portfolio pass keeps its own pace). */
    public Uni<Boolean> anyPending() {
        return processing.query("""
                        SELECT EXISTS (SELECT 1 FROM mart.changes c JOIN mart.change_marks m ON c.id > m.done_id
                                       AND (c.relation IS NULL AND m.relation NOT LIKE 'serving.%' AND m.relation <> 'portfolio'
                                            OR c.relation = m.relation)) AS pending""")
                .execute().map(rs -> rs.iterator().next().getBoolean("pending"));
    }

    /** Drops changes every relation that reads them has taken in. */
    public Uni<Void> pruneChanges() {
        return processing.query("""
                DELETE FROM mart.changes c
                WHERE c.id <= CASE WHEN c.relation IS NULL
                                   THEN (SELECT min(done_id) FROM mart.change_marks WHERE relation NOT LIKE 'serving.%')
                                   ELSE (SELECT done_id FROM mart.change_marks m WHERE m.relation = c.relation) END""")
                .execute().replaceWithVoid();
    }

    private static Uni<Void> markDone(SqlConnection conn, String relation, long uptoId) {
        return conn.preparedQuery("UPDATE mart.change_marks SET done_id = greatest(done_id, $2) WHERE relation = $1")
                .execute(Tuple.of(relation, uptoId)).replaceWithVoid();
    }

    /**
     * Brings a table up to date with its source in one transaction: whole when everything may have
     * changed, else for the symbols its inputs changed, plus those a forward move of the as-of date
     * changes (Table.asOfScope). A table with an advance (price_stats, period_closes, treemap) takes that
     * instead of a whole build when the as-of moved or more than maxSymbols symbols changed; other tables
     * are built whole then. Either way only rows that differ are written (an upsert that skips equal rows,
     * or an update through a hash join, and a delete of vanished keys): readers are never blocked, and a
     * mart records its changed symbols for its sync. Changes of inputs the table does not read only move
     * its mark.
     */
    public Uni<Built> build(String relation, int maxSymbols, int maxSyncSymbols, String workMem) {
        if (PROJECTIONS.containsKey(relation)) {
            return countRows(relation).map(rows -> new Built(rows, false, 0, 0));
        }
        Table table = TABLES.get(relation);
        // JIT off: the builds are index lookups per symbol whose cost estimates invite JIT compilation
        // of large plans, which takes longer than the queries.
        return processing.withTransaction(conn -> conn.preparedQuery("SELECT set_config('work_mem', $1, true), set_config('jit', 'off', true)")
                .execute(Tuple.of(workMem))
                // Row lock on the mark: a second replica's build of the same table waits instead of doubling it.
                .chain(() -> conn.preparedQuery("SELECT done_id FROM mart.change_marks WHERE relation = $1 FOR UPDATE")
                        .execute(Tuple.of(relation)))
                .chain(() -> inputs(conn, relation, table.inputs(), maxSymbols))
                .chain(in -> {
                    if (!in.any()) {
                        return markDone(conn, relation, in.uptoId())
                                .chain(() -> countRows(conn, relation)).map(rows -> new Built(rows, false, 0, 0));
                    }
                    LocalDate asOfFrom = table.readsAsOf() ? in.asOfFrom() : null;
                    if (in.everything() || table.scopeColumn() == null
                            || asOfFrom != null && table.asOfScope() == null && table.advance() == null) {
                        return merge(conn, relation, table, in, true, null, null, maxSyncSymbols);
                    }
                    if (table.advance() != null && (asOfFrom != null || in.symbols() == null)) {
                        return advance(conn, relation, table, in, asOfFrom, maxSyncSymbols);
                    }
                    return scopeSymbols(conn, table, in, asOfFrom, maxSymbols)
                            .chain(symbols -> merge(conn, relation, table, in, symbols == null, symbols, null, maxSyncSymbols));
                }));
    }

    /** The changed symbols and those the as-of move changes; null when more than maxSymbols. */
    private static Uni<List<String>> scopeSymbols(SqlConnection conn, Table table, Inputs in, LocalDate asOfFrom, int maxSymbols) {
        if (in.symbols() == null || asOfFrom == null) {
            return Uni.createFrom().item(in.symbols());
        }
        return conn.preparedQuery("SELECT CASE WHEN count(*) <= $3 THEN array_agg(symbol) END AS symbols FROM ("
                        + table.asOfScope() + " UNION SELECT unnest($2::text[])) moved(symbol)")
                .execute(Tuple.of(asOfFrom, in.symbols().toArray(String[]::new), maxSymbols))
                .map(rs -> {
                    String[] symbols = rs.iterator().next().getArrayOfStrings("symbols");
                    return symbols == null ? null : List.of(symbols);
                });
    }

    /**
     * The advance: the symbols to bring forward in build_scope (the changed ones; when the as-of moved,
     * also those Table.asOfScope names, every security without one), the changes of the table's inputs per symbol in changed_symbols (from_date:
     * the earliest day rewritten, NULL when unknown), then a merge of Table.advance's rows over that scope.
     */
    private static Uni<Built> advance(SqlConnection conn, String relation, Table table, Inputs in, LocalDate asOfFrom,
                                      int maxSyncSymbols) {
        return conn.preparedQuery("""
                        CREATE TEMP TABLE changed_symbols ON COMMIT DROP AS
                        SELECT c.symbol, c.input, CASE WHEN bool_and(c.from_date IS NOT NULL) THEN min(c.from_date) END AS from_date
                        FROM mart.change_marks m
                        JOIN mart.changes c ON c.id > m.done_id AND c.id <= $2 AND c.relation IS NULL AND c.symbol <> '*'
                        WHERE m.relation = $1 AND (c.input IS NULL OR c.input = ANY($3::text[]))
                        GROUP BY c.symbol, c.input""")
                .execute(Tuple.of(relation, in.uptoId(), table.inputs().toArray(String[]::new)))
                .chain(() -> asOfFrom == null
                        ? conn.query("CREATE TEMP TABLE build_scope ON COMMIT DROP AS SELECT symbol FROM changed_symbols").execute()
                        : table.asOfScope() == null
                        ? conn.query("CREATE TEMP TABLE build_scope ON COMMIT DROP AS SELECT symbol FROM staging.securities").execute()
                        : conn.preparedQuery("CREATE TEMP TABLE build_scope ON COMMIT DROP AS SELECT symbol FROM ("
                                + table.asOfScope() + ") moved(symbol) UNION SELECT symbol FROM changed_symbols").execute(Tuple.of(asOfFrom)))
                .chain(() -> conn.query("ANALYZE changed_symbols, build_scope").execute())
                // Without a move, the table was built for the current as-of.
                .chain(() -> asOfFrom != null ? Uni.createFrom().item(asOfFrom)
                        : conn.query("SELECT as_of FROM intermediate.as_of").execute()
                        .map(rs -> rs.iterator().next().getLocalDate("as_of")))
                .chain(builtFor -> merge(conn, relation, table, in, false, null, builtFor, maxSyncSymbols));
    }

    /**
     * One merge: whole (the source view), for a list of symbols (the source filtered on them), or an
     * advance over build_scope (asOfFrom: its {@code $1}; the as-of itself when it did not move).
     */
    private static Uni<Built> merge(SqlConnection conn, String relation, Table table, Inputs in, boolean whole,
                                    List<String> symbols, LocalDate asOfFrom, int maxSyncSymbols) {
        boolean advanced = !whole && symbols == null;
        // A table always built whole whose advance keeps what no change since its last build touched.
        boolean kept = whole && table.scopeColumn() == null && table.advance() != null && !in.everything();
        String[] symbolArray = symbols == null ? null : symbols.toArray(String[]::new);
        Uni<LocalDate> previousAsOf = "intermediate.as_of".equals(relation)
                ? conn.query("SELECT as_of FROM intermediate.as_of").execute()
                .map(rs -> rs.iterator().hasNext() ? rs.iterator().next().getLocalDate("as_of") : null)
                : Uni.createFrom().nullItem();
        return previousAsOf.chain(before -> columns(conn, relation)
                .chain(columns -> conn.preparedQuery(mergeSql(relation, table, columns, whole, advanced, kept, maxSyncSymbols))
                        .execute(kept ? Tuple.of((Object) (in.asOfFrom() == null && in.symbols() != null
                                ? in.symbols().toArray(String[]::new) : null))
                                : whole ? Tuple.tuple() : advanced ? Tuple.of(asOfFrom) : Tuple.of((Object) symbolArray)))
                .map(rs -> rs.iterator().next().getLong("changed"))
                .call(changed -> changed > 0 && before != null ? recordAsOfMove(conn, before) : Uni.createFrom().voidItem())
                .call(changed -> changed > 0 && before == null && "intermediate.as_of".equals(relation)
                        ? conn.query("INSERT INTO mart.changes (relation, symbol, input) VALUES (NULL, '*', 'as_of')").execute()
                        : Uni.createFrom().voidItem())
                .call(changed -> changed > 0 && "intermediate.period_shorts".equals(relation)
                        ? conn.query("INSERT INTO mart.changes (relation, symbol, input) VALUES ('mart.treemap', '*', '"
                        + PERIOD_SHORTS + "')").execute() : Uni.createFrom().voidItem()))
                .call(() -> markDone(conn, relation, in.uptoId()))
                // Fresh statistics after a whole build: the next builds' plans read this table.
                .call(() -> whole ? conn.query("ANALYZE " + relation).execute() : Uni.createFrom().voidItem())
                .chain(changed -> countRows(conn, relation).map(rows -> new Built(rows, whole || advanced,
                        symbols == null ? 0 : symbols.size(), changed)));
    }

    /**
     * The as-of moved: a change of every symbol for the tables that read it. Forward, it names the as-of
     * it moved from (the tables that can carry themselves forward do); backwards, it does not (everything).
     */
    private static Uni<Void> recordAsOfMove(SqlConnection conn, LocalDate before) {
        return conn.preparedQuery("""
                        INSERT INTO mart.changes (relation, symbol, input, from_date)
                        SELECT NULL, '*', 'as_of', CASE WHEN a.as_of > $1::date THEN $1::date END FROM intermediate.as_of a""")
                .execute(Tuple.of(before)).replaceWithVoid();
    }

    private static Uni<List<String>> columns(SqlConnection conn, String relation) {
        return conn.preparedQuery("""
                        SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
                        ORDER BY attnum""")
                .execute(Tuple.of(relation))
                .map(rs -> {
                    List<String> names = new ArrayList<>();
                    rs.forEach(row -> names.add(row.getString("attname")));
                    return names;
                });
    }

    /**
     * The merge of a table with its source view, within the scope or whole: deletes rows whose key
     * vanished, writes rows that differ, and for a mart records the changed symbols for its sync (more
     * than maxSyncSymbols: one change '*', "copy it whole", which the sync would do for that many anyway,
     * instead of a row per symbol to insert and later prune). Returns the number of rows written
     * (changed). A scoped merge upserts (few rows, index lookups); a whole or advanced one updates
     * through a hash join and inserts only missing keys, so that equal rows are not touched at all (an
     * upsert locks every conflicting row, writing to each page of the table, before its WHERE can skip
     * it). Missing and vanished keys are found by one full join of the table's keys (in the scope) with
     * the fresh ones, materialized before anything is written: a full join is hashed or merged, never a
     * nested loop (an anti join could turn into one whose inner scan re-reads the heap the insert is
     * growing, quadratic in the rows: a first build took 14 minutes), and it hashes the keys once where
     * two EXCEPTs hashed both sides twice (the 175,000 keys period_returns had: 0.6 s).
     */
    private static String mergeSql(String relation, Table table, List<String> columns, boolean whole, boolean advanced,
                                   boolean kept, int maxSyncSymbols) {
        List<String> keyColumns = table.keys();
        List<String> values = columns.stream().filter(c -> !keyColumns.contains(c)).toList();
        String keyMatch = String.join(" AND ", keyColumns.stream().map(k -> "f." + k + " = t." + k).toList());
        String returned = table.syncColumn() == null ? keyColumns.getFirst() : table.syncColumn();
        // The serving copies the mart's changes are recorded for: its own and those of its projections.
        String copies = String.join(", ", Stream.concat(Stream.of(relation),
                        PROJECTIONS.entrySet().stream().filter(p -> p.getValue().equals(relation)).map(Map.Entry::getKey))
                .map(mart -> "('serving." + mart.substring(mart.indexOf('.') + 1) + "')").toList());
        String record = table.syncColumn() == null ? "" : """
                , many AS (SELECT count(DISTINCT s) > %2$d AS many FROM changed_rows),
                recorded AS (INSERT INTO mart.changes (relation, symbol)
                             SELECT r.relation, c.s FROM (VALUES %1$s) r(relation)
                             CROSS JOIN (SELECT DISTINCT s FROM changed_rows WHERE NOT (SELECT many FROM many)
                                         UNION ALL SELECT '*' WHERE (SELECT many FROM many)) c)"""
                .formatted(copies, maxSyncSymbols);
        String source = advanced || kept ? "(" + table.advance() + ") AS advanced(" + String.join(", ", columns) + ")"
                : relation + "_source";
        if (!whole && !advanced) {
            return """
                    WITH fresh AS MATERIALIZED (SELECT * FROM %1$s WHERE %2$s = ANY($1::text[])),
                    gone AS (DELETE FROM %3$s t WHERE t.%2$s = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM fresh f WHERE %4$s)
                             RETURNING t.%5$s AS s),
                    put AS (INSERT INTO %3$s AS t SELECT * FROM fresh ON CONFLICT (%6$s) DO UPDATE SET (%7$s) = ROW(%8$s)
                            WHERE ROW(t.*) IS DISTINCT FROM ROW(excluded.*) RETURNING t.%5$s AS s),
                    changed_rows AS (SELECT s FROM gone UNION ALL SELECT s FROM put)%9$s
                    SELECT count(*) AS changed FROM changed_rows""".formatted(source, table.scopeColumn(), relation, keyMatch, returned,
                    String.join(", ", keyColumns), String.join(", ", values),
                    String.join(", ", values.stream().map(c -> "excluded." + c).toList()), record);
        }
        String keys = String.join(", ", keyColumns);
        return """
                WITH fresh AS MATERIALIZED (SELECT * FROM %1$s),
                diff AS MATERIALIZED (SELECT %2$s, %3$s FROM (SELECT %4$s FROM %5$s t WHERE %6$s) t
                                      FULL JOIN (SELECT %4$s FROM fresh) f ON %7$s
                                      WHERE t.%8$s IS NULL OR f.%8$s IS NULL),
                gone AS (DELETE FROM %5$s t USING diff d WHERE d.new_%8$s IS NULL AND %9$s RETURNING t.%10$s AS s),
                put AS (UPDATE %5$s AS t SET (%11$s) = ROW(%12$s) FROM fresh f
                        WHERE %7$s AND ROW(t.*) IS DISTINCT FROM ROW(f.*) RETURNING t.%10$s AS s),
                added AS (INSERT INTO %5$s SELECT f.* FROM fresh f JOIN diff d ON d.old_%8$s IS NULL AND %13$s RETURNING %10$s AS s),
                changed_rows AS (SELECT s FROM gone UNION ALL SELECT s FROM put UNION ALL SELECT s FROM added)%14$s
                SELECT count(*) AS changed FROM changed_rows""".formatted(
                source,
                String.join(", ", keyColumns.stream().map(k -> "t." + k + " AS old_" + k).toList()),
                String.join(", ", keyColumns.stream().map(k -> "f." + k + " AS new_" + k).toList()),
                keys, relation,
                whole ? "true" : "t." + table.scopeColumn() + " IN (SELECT symbol FROM build_scope)",
                keyMatch, keyColumns.getFirst(),
                String.join(" AND ", keyColumns.stream().map(k -> "d.old_" + k + " = t." + k).toList()),
                returned, String.join(", ", values), String.join(", ", values.stream().map(c -> "f." + c).toList()),
                String.join(" AND ", keyColumns.stream().map(k -> "d.new_" + k + " = f." + k).toList()),
                record);
    }

    public Uni<Long> countRows(String relation) {
        return processing.withConnection(conn -> countRows(conn, relation));
    }

    private static Uni<Long> countRows(SqlConnection conn, String relation) {
        return conn.query("SELECT count(*) AS n FROM " + relation).execute()
                .map(rs -> rs.iterator().next().getLong("n"));
    }

    public Uni<LocalDate> asOf() {
        return processing.query("SELECT as_of FROM intermediate.as_of").execute()
                .map(rs -> rs.iterator().hasNext() ? rs.iterator().next().getLocalDate("as_of") : null);
    }

    /**
     * Runs a mart's data tests in one scan: the number of offending rows per test, in the catalog's order;
     * over the rows of the given symbols only (null: every row; empty: none, every count 0).
     */
    public Uni<List<Long>> runDataTests(MartCatalog.Mart mart, List<String> symbols) {
        if (symbols != null && symbols.isEmpty()) {
            return Uni.createFrom().item(mart.tests().stream().map(t -> 0L).toList());
        }
        Uni<io.vertx.mutiny.sqlclient.RowSet<Row>> counted = symbols == null ? processing.query(mart.testsSql(false)).execute()
                : processing.preparedQuery(mart.testsSql(true)).execute(Tuple.of((Object) symbols.toArray(String[]::new)));
        return counted.map(rs -> {
            Row row = rs.iterator().next();
            List<Long> counts = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                counts.add(row.getLong(i));
            }
            return counts;
        });
    }

    public record RunRecord(UUID runId, String name, String trigger, String status, Long rows, long durationMs,
                            String error, OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    public Uni<Void> recordRun(RunRecord run) {
        return processing.preparedQuery("""
                        INSERT INTO mart.refresh_runs (run_id, name, trigger, status, rows, duration_ms, error, started_at, finished_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                .execute(Tuple.from(Arrays.asList(run.runId(), run.name(), run.trigger(), run.status(),
                        run.rows(), run.durationMs(), run.error(), run.startedAt(), run.finishedAt())))
                .replaceWithVoid();
    }

    public Uni<Void> recordDataTestFailure(UUID runId, String mart, String test, long failures, String detail) {
        return processing.preparedQuery("""
                        INSERT INTO mart.data_test_failures (run_id, mart, test, failures, detail) VALUES ($1, $2, $3, $4, $5)""")
                .execute(Tuple.of(runId, mart, test, failures, detail)).replaceWithVoid();
    }

    public record SyncRecord(UUID runId, String name, String status, Long rows, boolean verified, long durationMs,
                             String error, OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    public Uni<Void> recordSync(SyncRecord sync) {
        return processing.preparedQuery("""
                        INSERT INTO mart.sync_runs (run_id, name, status, rows, verified, duration_ms, error, started_at, finished_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                .execute(Tuple.from(Arrays.asList(sync.runId(), sync.name(), sync.status(), sync.rows(),
                        sync.verified(), sync.durationMs(), sync.error(), sync.startedAt(), sync.finishedAt())))
                .replaceWithVoid();
    }

    /** Per mart: the last successful refresh (time, rows, duration) and the processing-side size. */
    public record MartState(String name, Long rows, OffsetDateTime lastRefreshAt, Long lastRefreshMs, long sizeBytes) {
    }

    public Uni<List<MartState>> martStates() {
        List<String> names = MartCatalog.MARTS.stream().map(MartCatalog.Mart::name).toList();
        return processing.preparedQuery("""
                        SELECT n.name, r.rows, r.finished_at, r.duration_ms,
                               pg_total_relation_size(format('mart.%I', n.name)::regclass) AS size_bytes
                        FROM unnest($1::text[]) AS n(name)
                        LEFT JOIN LATERAL (SELECT rows, finished_at, duration_ms FROM mart.refresh_runs
                                           WHERE name = n.name AND status = 'succeeded'
                                           ORDER BY finished_at DESC LIMIT 1) r ON true""")
                .execute(Tuple.of(names.toArray(String[]::new)))
                .map(rs -> {
                    List<MartState> states = new ArrayList<>();
                    for (Row row : rs) {
                        states.add(new MartState(row.getString("name"), row.getLong("rows"),
                                row.getOffsetDateTime("finished_at"), row.getLong("duration_ms"), row.getLong("size_bytes")));
                    }
                    return states;
                });
    }
}
