package io.incomeplatform.dashboard.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.time.ZoneId;

/** Everything tunable in dashboard-service; each key can be set from the environment (DASHBOARD_CACHE_TTL, ...). */
@ConfigMapping(prefix = "dashboard")
public interface DashboardConfig {

    Cache cache();

    RateLimit rateLimit();

    Ledger ledger();

    Market market();

    Auth auth();

    MarketCopy marketCopy();

    /**
     * Each replica's in-memory copy of the market rows a dashboard miss reads (repository/MarketCopy): a
     * miss then reads only the caller's rows and the copy's version from the database.
     */
    interface MarketCopy {
        /** false: every miss reads the market rows from the database too, as one statement. */
        @WithDefault("true")
        boolean enabled();

        /**
         * The copy holds the dividend calendar rows paid from this many days before today (the ledger zone's
         * date): a dashboard's upcoming dividends start after its as-of date, the benchmark's latest close,
         * a few days back over weekends and holidays. An as-of date outside the window reads the database.
         */
        @WithDefault("7")
        int calendarDaysBefore();

        /** ... to this many days after today; it must reach 30 days (the upcoming-dividends horizon) past the as-of date. */
        @WithDefault("60")
        int calendarDaysAfter();
    }

    interface Auth {
        /**
         * How many verified tokens are remembered (each until its exp) so a repeated token is not
         * verified again; 0 verifies every request.
         */
        @WithDefault("10000")
        int tokenCacheSize();
    }

    interface Cache {
        /** How long an assembled dashboard counts as fresh (unless invalidated earlier). */
        @WithDefault("5m")
        Duration ttl();

        /** How long the last good dashboard is kept to be served as stale when the database is slow or down. */
        @WithDefault("24h")
        Duration staleRetention();

        /** How long a dashboard request waits for the serving database before it answers with the stale copy. */
        @WithDefault("2s")
        Duration databaseTimeout();

        /**
         * How long a dashboard build may run before it is abandoned and the next request starts a new one: a
         * query stuck on a dead connection would otherwise hold every miss of that user (stale or 503) until
         * the operating system gave up on the connection, often many minutes.
         */
        @WithDefault("30s")
        Duration buildTimeout();

        /**
         * How long a Redis cache read may take before the request treats it as a miss. Generous on
         * purpose: a miss costs far more than waiting on a busy Redis, so a short budget turns CPU
         * saturation into a cascade of database builds; a Redis that is down fails fast anyway.
         */
        @WithDefault("1s")
        Duration redisTimeout();

        /**
         * How many fresh dashboards each replica also keeps in memory (least recently used dropped first;
         * ~25 KB each for 100 holdings): a hit then reads only the generations from Redis, not the entry.
         * 0 keeps none.
         */
        @WithDefault("1000")
        int localEntries();

        /**
         * While the subscription to income:marts-refreshed / income:portfolio-changed is up, serve this
         * replica's fresh copy without asking Redis: those events drop it (this replica's own writes drop it
         * before they answer). Another replica's write is seen when its event arrives (typically within a
         * millisecond of its answer). false: every hit compares the generations in Redis.
         */
        @WithDefault("true")
        boolean localHitsFromEvents();

        /** TTL of cached market reads (stock, screener, calendar, treemap, ETF holdings). */
        @WithDefault("30s")
        Duration marketTtl();

        /**
         * How long each replica also keeps a market read in memory, answering repeats without Redis
         * (the same answer for every user, so a busy endpoint is mostly repeats). It adds at most this
         * much to a market read's age; 0 turns it off.
         */
        @WithDefault("5s")
        Duration marketLocalTtl();

        /** How many market reads each replica keeps in memory (least recently used dropped first). */
        @WithDefault("500")
        int marketLocalEntries();
    }

    interface RateLimit {
        @WithDefault("true")
        boolean enabled();

        /** GET /api/v1/dashboard calls per user per window. */
        @WithDefault("60")
        int dashboardPerWindow();

        /** Ledger, portfolio and profile writes per user per window. */
        @WithDefault("10")
        int writesPerWindow();

        /** Every other read per user per window (market reads, ledger pages, profile). */
        @WithDefault("300")
        int readsPerWindow();

        @WithDefault("60s")
        Duration window();

        /**
         * The dashboard's count is kept by each replica once it has read the window's count from Redis, and
         * its own calls are added to Redis (INCRBY) this often: exact for one replica; with N replicas a
         * user can exceed the limit by what the others counted in one interval. 0: every call is an INCR.
         */
        @WithDefault("100ms")
        Duration dashboardSyncInterval();

        /** A limiter call slower than this lets the request through (fail open, counted). */
        @WithDefault("200ms")
        Duration redisTimeout();
    }

    interface Ledger {
        /** Trade dates are exchange dates: "not in the future" is judged in this zone. */
        @WithDefault("America/New_York")
        ZoneId zone();

        @WithDefault("50")
        int defaultPageSize();

        @WithDefault("200")
        int maxPageSize();

        /** Rows accepted by one CSV import. */
        @WithDefault("5000")
        int maxImportRows();

        /**
         * How many (user, scope) ledgers each replica keeps replayed (holdings, the ten latest transactions,
         * the first trade date; ~14 KB for 20-100 holdings), least recently used dropped first: a miss whose
         * ledger versions are unchanged (app.portfolios.ledger_version) neither reads nor replays the ledger.
         * 0 reads and replays it on every miss.
         */
        @WithDefault("2000")
        int replayedEntries();
    }

    interface Market {
        @WithDefault("50")
        int screenerDefaultLimit();

        @WithDefault("200")
        int screenerMaxLimit();

        /** Widest dividend calendar range one request may ask for. */
        @WithDefault("400")
        int calendarMaxDays();

        /**
         * Largest treemap limit. Must not exceed mart-service's mart.treemap.top (50): serving.treemap holds
         * only the top that many per (period, metric, industry) by either rank.
         */
        @WithDefault("50")
        int treemapMaxLimit();
    }
}
