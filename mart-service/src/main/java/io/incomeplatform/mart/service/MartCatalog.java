package io.incomeplatform.mart.service;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The layers and their dependency order. Staging tables are loaded first (always: incremental and
 * cheap), then the intermediate tables a mart needs, then the marts, each after the ones it reads.
 * Every synced mart is a table {@code mart.NAME} (built from the view {@code mart.NAME_source}) copied
 * to {@code serving.NAME}; its primary key is its unique key.
 */
public final class MartCatalog {

    /** Intermediate tables in dependency order. */
    public static final List<String> INTERMEDIATE = List.of(
            "as_of", "price_stats", "period_closes", "period_shorts", "dividend_stats", "projected_dividends");

    /**
     * The intermediate tables each intermediate table reads (its source view and its advance or scope
     * queries), so that a refresh may build tables that do not read each other at the same time.
     */
    private static final Map<String, List<String>> INTERMEDIATE_READS = Map.of(
            "as_of", List.of(),
            "price_stats", List.of("as_of"),
            "period_closes", List.of("as_of", "price_stats"),
            "period_shorts", List.of("as_of"),
            "dividend_stats", List.of("as_of"),
            "projected_dividends", List.of("as_of", "dividend_stats"));

    /**
     * What each step of a refresh takes after a new trading day at design scale (ms, 25,000 symbols, quiet
     * 2-core machine, bench/marts/new-day.sh): the StepGraph starts the waiting step with the longest path
     * to the end of the run first, so that the chain price_stats, period_closes, treemap and its sync (the
     * day's critical path) never waits behind work with slack. Only the order matters, not the values; a
     * smaller run (ticks for a few symbols) is fast in any order.
     */
    public static final Map<String, Long> NEW_DAY_MS = Map.ofEntries(
            Map.entry("intermediate.as_of", 60L), Map.entry("intermediate.price_stats", 900L),
            Map.entry("intermediate.period_closes", 600L), Map.entry("intermediate.period_shorts", 80L),
            Map.entry("intermediate.dividend_stats", 200L), Map.entry("intermediate.projected_dividends", 100L),
            Map.entry("market_latest", 300L), Map.entry("sync market_latest", 300L),
            Map.entry("stocks_summary", 700L), Map.entry("sync stocks_summary", 600L),
            Map.entry("screener_results", 10L), Map.entry("sync screener_results", 50L),
            Map.entry("dividend_calendar", 500L), Map.entry("sync dividend_calendar", 700L),
            Map.entry("etf_holdings", 60L), Map.entry("sync etf_holdings", 60L),
            Map.entry("treemap", 1300L), Map.entry("sync treemap", 550L));

    /** The intermediate tables an intermediate table reads, in dependency order. */
    public static List<String> intermediateReads(String intermediate) {
        List<String> reads = INTERMEDIATE_READS.get(intermediate);
        if (reads == null) {
            throw new IllegalArgumentException("Unknown intermediate table: " + intermediate);
        }
        return reads;
    }

    /**
     * condition: true for an offending row of the mart (alias m); join: a join the condition reads (a left
     * join matching at most one row per mart row), or null.
     */
    public record DataTest(String name, String condition, String join) {
    }

    /**
     * @param needs intermediate tables it reads; @param after marts it reads (refreshed first);
     * @param symbolColumn the column a per-symbol sync selects and deletes rows by
     */
    public record Mart(String name, List<String> needs, List<String> after, String symbolColumn, List<DataTest> tests) {
        public String relation() {
            return "mart." + name;
        }

        public String servingTable() {
            return "serving." + name;
        }

        /**
         * The mart whose serving table this mart's serving copy is a view of (serving V7), if any: nothing
         * is copied for it; its sync confirms the view against the mart once that mart's sync is done.
         */
        public Optional<String> servingViewOf() {
            return Optional.ofNullable(SERVING_VIEWS.get(name));
        }

        /**
         * All its data tests in one scan of the mart: one count of offending rows per test, in order; with
         * scoped, only the rows of the symbols {@code $1} (a text array).
         */
        public String testsSql(boolean scoped) {
            return "SELECT " + String.join(", ", tests.stream().map(t -> "count(*) FILTER (WHERE " + t.condition() + ")").toList())
                    + " FROM " + relation() + " m"
                    + String.join("", tests.stream().filter(t -> t.join() != null).map(t -> " " + t.join()).toList())
                    + (scoped ? " WHERE m." + symbolColumn + " = ANY($1::text[])" : "");
        }
    }

    /**
     * Every row's symbol exists in securities: one hashed left join (securities' key is the symbol), where a
     * NOT EXISTS per row looked each row up (the 400,000 calendar rows: 1 s).
     */
    private static DataTest referential(String column) {
        // The securities' column gets a name of its own: the other tests name the mart's columns unqualified.
        String referenced = "referenced_" + column;
        return new DataTest("referential_" + column, referenced + " IS NULL",
                "LEFT JOIN (SELECT symbol AS " + referenced + " FROM staging.securities) " + referenced
                        + " ON " + referenced + " = m." + column);
    }

    private static DataTest where(String test, String condition) {
        return new DataTest(test, condition, null);
    }

    /** Marts whose serving copy is a view of another mart's serving table (the screener's rows are stocks_summary's). */
    private static final Map<String, String> SERVING_VIEWS = Map.of("screener_results", "stocks_summary");

    /** Every synced mart, in refresh order. */
    public static final List<Mart> MARTS = List.of(
            new Mart("market_latest", List.of("as_of", "price_stats"), List.of(), "symbol", List.of(
                    where("not_null_keys", "symbol IS NULL OR price IS NULL OR price_date IS NULL"),
                    where("no_negative_prices", "price <= 0 OR previous_close <= 0"),
                    referential("symbol"))),
            new Mart("stocks_summary", List.of("as_of", "price_stats", "period_closes", "dividend_stats"), List.of(),
                    "symbol", List.of(
                    where("not_null_keys", "symbol IS NULL OR name IS NULL"),
                    where("no_negative_prices", "price <= 0 OR previous_close <= 0 OR high_52w <= 0 OR low_52w <= 0 OR high_52w < low_52w"),
                    where("no_negative_dividends", "ttm_dividends < 0 OR last_regular_amount <= 0"),
                    where("accepted_frequency", "frequency NOT IN (52, 12, 4, 2, 1)"),
                    referential("symbol"))),
            new Mart("screener_results", List.of(), List.of("stocks_summary"), "symbol", List.of(
                    where("not_null_keys", "symbol IS NULL"),
                    where("no_negative_prices", "price <= 0"),
                    where("accepted_frequency", "frequency NOT IN (52, 12, 4, 2, 1)"),
                    referential("symbol"))),
            new Mart("dividend_calendar", List.of("as_of", "dividend_stats", "projected_dividends"), List.of(),
                    "symbol", List.of(
                    where("not_null_keys", "symbol IS NULL OR ex_date IS NULL OR amount IS NULL OR status IS NULL OR type IS NULL"),
                    where("accepted_status", "status NOT IN ('paid', 'announced', 'projected')"),
                    where("accepted_type", "type NOT IN ('regular', 'special')"),
                    where("no_negative_amounts", "amount <= 0"),
                    referential("symbol"))),
            new Mart("etf_holdings", List.of(), List.of(), "etf_symbol", List.of(
                    where("not_null_keys", "etf_symbol IS NULL OR holding_symbol IS NULL OR as_of IS NULL"),
                    where("accepted_weight", "weight < 0 OR weight > 1"),
                    referential("etf_symbol"))),
            new Mart("treemap", List.of("as_of", "price_stats", "period_closes", "period_shorts"), List.of(),
                    "symbol", List.of(
                    where("not_null_keys", "period IS NULL OR metric IS NULL OR symbol IS NULL OR industry IS NULL"),
                    where("accepted_period", "period NOT IN ('3m', '6m', '1y', '2y', '5y', 'max')"),
                    where("accepted_metric", "metric NOT IN ('price', 'short')"),
                    where("ranks_from_one", "rank_current < 1 OR rank_change < 1"),
                    // Only the top N (mart.treemap.top) by either rank are kept.
                    where("ranks_within_top", "least(rank_current, rank_change) > (SELECT treemap_top FROM mart.settings)"),
                    where("no_negative_prices", "metric = 'price' AND (current_value <= 0 OR earliest_value <= 0)"),
                    referential("symbol"))));

    private MartCatalog() {
    }

    public static Optional<Mart> mart(String name) {
        return MARTS.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The marts to refresh for a request (one mart with the marts it reads, or all), in refresh order. */
    public static List<Mart> martsFor(Optional<String> name) {
        if (name.isEmpty()) {
            return MARTS;
        }
        Set<String> wanted = new LinkedHashSet<>();
        collect(name.get(), wanted);
        return MARTS.stream().filter(m -> wanted.contains(m.name())).toList();
    }

    private static void collect(String name, Set<String> into) {
        Mart mart = mart(name).orElseThrow(() -> new IllegalArgumentException("Unknown mart: " + name));
        into.add(name);
        mart.after().forEach(dep -> collect(dep, into));
    }

    /**
     * The marts a change of the given raw data types can affect (with the marts they read), in refresh
     * order; unknown or missing types mean every mart. The scheduled refresh catches up anything else
     * (for example dividend statuses when a new trading day moves the as-of date).
     */
    public static List<Mart> martsForDataTypes(Set<String> dataTypes) {
        Set<String> wanted = new LinkedHashSet<>();
        for (String type : dataTypes) {
            List<String> affected = switch (type == null ? "" : type) {
                case "ticks", "bars" -> List.of("market_latest", "screener_results", "treemap");
                case "dividends" -> List.of("screener_results", "dividend_calendar");
                case "etf-holdings" -> List.of("etf_holdings");
                case "short-positions" -> List.of("treemap");
                default -> MARTS.stream().map(Mart::name).toList();
            };
            affected.forEach(name -> collect(name, wanted));
        }
        return MARTS.stream().filter(m -> wanted.contains(m.name())).toList();
    }

    /** The intermediate tables the given marts need (with those the marts they read need), in dependency order. */
    public static List<String> intermediatesFor(List<Mart> marts) {
        Set<String> needed = new LinkedHashSet<>();
        marts.forEach(m -> needed.addAll(m.needs()));
        return INTERMEDIATE.stream().filter(needed::contains).toList();
    }

    /**
     * The staging tables the given marts read, directly or through their intermediate tables; every
     * mart also reads staging.securities, which is therefore not listed. A refresh aimed at some marts
     * loads only these: the other tables' raw changes wait for the run that needs them.
     */
    public static Set<String> stagingFor(List<Mart> marts) {
        Set<String> tables = new LinkedHashSet<>();
        for (String intermediate : intermediatesFor(marts)) {
            tables.add(switch (intermediate) {
                case "dividend_stats", "projected_dividends" -> "dividends";
                case "period_shorts" -> "short_positions";
                default -> "daily_prices";
            });
        }
        for (Mart mart : marts) {
            switch (mart.name()) {
                case "dividend_calendar" -> tables.add("dividends");
                case "etf_holdings" -> tables.add("etf_holdings");
                case "treemap" -> tables.add("short_positions");
                default -> {
                }
            }
        }
        return tables;
    }
}
