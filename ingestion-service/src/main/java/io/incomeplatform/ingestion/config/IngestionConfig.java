package io.incomeplatform.ingestion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;

/**
 * Everything the service does that an operator may tune, under the prefix {@code ingestion}.
 * Each key can be set from the environment (e.g. {@code INGESTION_FEED_ENABLED=false}).
 */
@ConfigMapping(prefix = "ingestion")
public interface IngestionConfig {

    Limits limits();

    Validation validation();

    Publish publish();

    Feed feed();

    Calendar calendar();

    Routing routing();

    Providers providers();

    interface Limits {
        /** Largest accepted request body; larger ones get a 413 problem before the body is read. */
        @WithDefault("16777216")
        long maxBodyBytes();

        /** Most records accepted in one request (one transaction). */
        @WithDefault("100000")
        int maxRecords();
    }

    interface Validation {
        /** How far in the future a tick's timestamp may be (clock skew between senders and us). */
        @WithDefault("PT5M")
        Duration maxClockSkew();

        /** Oldest date accepted for bars, ticks and other dated records. */
        @WithDefault("1900-01-01")
        String earliestDate();

        /** How far ahead a dividend's dates may be (announced dividends). */
        @WithDefault("P730D")
        Duration maxDividendLead();

        /** Source recorded for API writes that do not name one. */
        @WithDefault("api")
        String defaultSource();
    }

    interface Publish {
        /** Most ticks in one {@code income:ticks} message. */
        @WithDefault("500")
        int ticksPerMessage();

        /** How many (symbol, exchange date) previous closes are cached before the cache is reset. */
        @WithDefault("200000")
        int previousCloseCacheSize();
    }

    /** Scheduled fetching from the providers (the simulated one by default). */
    interface Feed {
        /** Whether the tier scheduler runs at all (off in tests, which drive runs themselves). */
        @WithDefault("true")
        boolean enabled();

        /** How often the scheduler checks which tiers are due. */
        @WithDefault("10s")
        String checkEvery();

        /** Quote interval for tier 1 (holdings/watchlist), 2 (core), 3 (index members), 4 (full universe). */
        @WithDefault("PT15S,PT1M,PT5M,PT15M")
        List<Duration> quoteIntervals();

        /** Wait after the close before fetching the day's bars (providers publish them a little later). */
        @WithDefault("PT20M")
        Duration barsDelayAfterClose();

        /** How much history the first end-of-day run fetches when no sync state exists yet (5 years: the marts' longest period). */
        @WithDefault("P1830D")
        Duration initialLookback();

        /** Load the bundled sample universe into raw.securities at start (if the table lacks those symbols). */
        @WithDefault("true")
        boolean seedUniverse();
    }

    interface Calendar {
        @WithDefault("NYSE")
        String exchange();

        @WithDefault("America/New_York")
        String timeZone();

        @WithDefault("09:30")
        LocalTime open();

        @WithDefault("16:00")
        LocalTime close();
    }

    /** Which providers serve each data type, in priority order (the first that answers wins). */
    interface Routing {
        @WithDefault("simulated")
        List<String> quotes();

        @WithDefault("simulated")
        List<String> bars();

        @WithDefault("simulated")
        List<String> dividends();

        @WithDefault("simulated")
        List<String> splits();

        /** Two sources' closes further apart than this fraction are recorded in raw.price_disagreements. */
        @WithDefault("0.02")
        double disagreementTolerance();

        /** Longest a provider call may take, retries not included (backstop over the HTTP timeouts). */
        @WithDefault("PT15S")
        Duration callTimeout();

        /** Retries of a call that failed for a transient reason (network, timeout, 5xx). */
        @WithDefault("2")
        int retries();

        @WithDefault("PT0.5S")
        Duration retryDelay();

        /** The circuit breaker looks at this many recent calls of a provider... */
        @WithDefault("4")
        int circuitRequestVolume();

        /** ...opens when this fraction of them failed... */
        @WithDefault("0.5")
        double circuitFailureRatio();

        /** ...and lets a trial call through after this long. */
        @WithDefault("PT60S")
        Duration circuitDelay();
    }

    interface Providers {
        Simulated simulated();

        Http polygon();

        Http alphaVantage();

        Http yahoo();

        Csv csv();
    }

    interface Simulated {
        @WithDefault("true")
        boolean enabled();

        /** Seed of the random walks: the same seed gives the same prices. */
        @WithDefault("20261120")
        long seed();

        /** It costs nothing to ask: the quota only exists so the simulated feed is routed like the others. */
        @WithDefault("100000")
        int requestsPerMinute();
    }

    interface Http {
        @WithDefault("false")
        boolean enabled();

        Optional<String> baseUrl();

        Optional<String> apiKey();

        /** The plan's request quota; calls beyond it go to the next provider. */
        @WithDefault("5")
        int requestsPerMinute();

        /** Longest wait for one response. */
        @WithDefault("PT10S")
        Duration timeout();
    }

    interface Csv {
        @WithDefault("false")
        boolean enabled();

        /** Directory with bars.csv and dividends.csv (header rows as the write endpoints take). */
        Optional<String> path();

        @WithDefault("600")
        int requestsPerMinute();
    }
}
