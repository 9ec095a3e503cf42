package io.incomeplatform.mart.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;

import java.time.Duration;
import java.util.List;

/** Everything the marts' refresh, data tests, sync and freshness checks can be tuned with (env: MART_...). */
@ConfigMapping(prefix = "mart")
public interface MartConfig {

    /** Benchmark symbol whose latest trading day is the market marts' as-of date. */
    @WithDefault("SPY")
    String benchmark();

    Refresh refresh();

    /**
     * Whether to listen to income:raw-changed and income:portfolio-changed (a replica kept for the API
     * or a benchmark on a shared Redis may turn it off; the scheduled refresh still runs).
     */
    @WithDefault("true")
    boolean eventsEnabled();

    SourcePriority sourcePriority();

    DataTests dataTests();

    Sync sync();

    Freshness freshness();

    Treemap treemap();

    interface Refresh {
        /**
         * How often the scheduled refresh runs (a Quarkus duration such as 5m, or "off"). Read by the
         * {@code @Scheduled} expression {@code ${mart.refresh.every}}; declared here to document it.
         */
        @WithDefault("5m")
        String every();

        /** Delay of the first scheduled refresh after start (read by the {@code @Scheduled} expression). */
        @WithDefault("10s")
        String initialDelay();

        /**
         * How often pending "raw changed" events are drained into one targeted refresh (debounces bursts);
         * read by {@code ${mart.refresh.event-drain-every}}.
         */
        @WithDefault("1s")
        String eventDrainEvery();

        /** Incremental loads start this long before the previous load began: rows committed late are not missed. */
        @WithDefault("5m")
        Duration watermarkOverlap();

        /** Incremental loads of bars and ticks only look at dates this many days before the watermark. */
        @WithDefault("7")
        int lookbackDays();

        /** work_mem for the refresh's own transactions (staging loads, view refreshes): sorts stay in memory. */
        @WithDefault("64MB")
        String workMem();

        /**
         * A table is rebuilt for the changed symbols only while at most this many changed (and the as-of
         * date stayed); more, and it is rebuilt whole (set-based work beats that many per-symbol lookups).
         */
        @WithDefault("2000")
        int maxIncrementalSymbols();

        /**
         * Steps of a refresh run at the same time where they do not read each other (table builds, a
         * mart's data tests and sync): about the processing database's cores. 1 runs them one by one.
         */
        @WithDefault("2")
        @Min(1)
        int parallelism();

        /**
         * Daily prices an incremental run must load before staging.daily_prices is vacuumed after it
         * (in the background): a trading day for thousands of symbols, not ticks for a few. The vacuum
         * keeps the per-symbol price reads index-only (processing V12's covering key).
         */
        @WithDefault("10000")
        @Min(1)
        long vacuumAfterDailyPrices();

        /** Users whose portfolio marts are recomputed at the same time by the all-users refresh. */
        @WithDefault("2")
        int portfolioConcurrency();

        /** Longest a user's portfolio marts recomputation may take before it counts as failed. */
        @WithDefault("10s")
        Duration portfolioTimeout();
    }

    /** Source names in priority order per data type (first wins); unlisted sources rank after, by name. */
    interface SourcePriority {
        @WithDefault("polygon,alpha-vantage,yahoo,api,simulated")
        List<String> prices();

        @WithDefault("polygon,alpha-vantage,yahoo,api,simulated")
        List<String> dividends();

        @WithDefault("finra,api,simulated")
        List<String> shortPositions();

        @WithDefault("issuer,api,simulated")
        List<String> etfHoldings();
    }

    interface DataTests {
        /** A refresh that would shrink a mart by more than this fraction versus its last sync is refused. */
        @WithDefault("0.5")
        double maxShrinkRatio();

        /** The shrink check applies once the previous version had at least this many rows. */
        @WithDefault("20")
        long shrinkCheckMinRows();
    }

    interface Sync {
        /**
         * A sync copies only the rows of the symbols whose mart rows changed while at most this many did;
         * more, and it copies the whole mart (DELETE ... WHERE symbol = ANY of a huge array stops paying).
         */
        @WithDefault("10000")
        int maxSymbols();
    }

    interface Treemap {
        /**
         * The treemap mart keeps, per (period, metric, industry), the symbols ranked at most this high by
         * current value or by change (ranks over every symbol of the group). dashboard-service answers
         * {@code limit} up to its {@code dashboard.market.treemap-max-limit} (50) from these rows, so this
         * must be at least that; a larger value only stores more rows.
         */
        @WithDefault("50")
        @Min(1)
        int top();
    }

    interface Freshness {
        /** A mart whose last sync is older than this is stale (degraded health). */
        @WithDefault("30m")
        Duration maxSyncAge();

        /** A mart whose as-of date lags the last completed NYSE trading day by more trading days is stale. */
        @WithDefault("1")
        int maxTradingDaysBehind();

        /** Budget for the serving schema's total size (bytes); over it the health check reports degraded. */
        @WithDefault("2147483648")
        long servingSizeBudgetBytes();
    }
}
