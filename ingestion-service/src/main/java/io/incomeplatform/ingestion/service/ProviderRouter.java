package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.client.MarketDataProvider;
import io.incomeplatform.ingestion.client.MarketDataProvider.Capability;
import io.incomeplatform.ingestion.client.ProviderException;
import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.incomeplatform.ingestion.model.Split;
import io.incomeplatform.ingestion.model.Tick;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.util.TypeLiteral;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Fetches each data type from its providers in the configured priority order. Every provider call goes
 * through the provider's guard: a timeout (a hung provider must not stall a run), retries only for
 * transient failures (network, timeout, 5xx: repeating a throttled or rejected call cannot help), a
 * circuit breaker (a failing provider is skipped until a trial call succeeds) and a rate limit equal to
 * the plan's per-minute quota (calls past it go to the next provider instead of being refused upstream).
 * Any failure moves on to the next provider; the answer names the provider that gave it.
 */
// Created at start so its meters exist before the first call.
@Startup
@ApplicationScoped
public class ProviderRouter {

    private static final Logger LOG = Logger.getLogger(ProviderRouter.class);
    private static final TypeLiteral<Uni<Object>> UNI = new TypeLiteral<>() {
    };

    /** Data and the provider it came from; failures lists the providers tried before, with why. */
    public record Fetched<T>(String provider, T data, List<String> failures) {
    }

    /** No provider could answer; failures says why each was passed over. */
    public static class NoProviderException extends RuntimeException {
        private final List<String> failures;

        public NoProviderException(String what, List<String> failures) {
            super("no provider could deliver " + what + ": " + String.join("; ", failures), null, false, false);
            this.failures = failures;
        }

        public List<String> failures() {
            return failures;
        }
    }

    /** What the status endpoint shows per provider. */
    public record ProviderState(String name, boolean enabled, List<String> capabilities, String circuitState,
                                int requestsPerMinute, long calls, long failures, long rowsWritten,
                                Instant lastSuccessAt, Instant lastFailureAt, String lastError) {
    }

    private final class Tracked {
        final MarketDataProvider provider;
        final Guard guard;
        final AtomicLong calls = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
        final AtomicReference<Instant> lastFailure = new AtomicReference<>();
        final AtomicReference<String> lastError = new AtomicReference<>();

        Tracked(MarketDataProvider provider) {
            this.provider = provider;
            IngestionConfig.Routing routing = config.routing();
            this.guard = Guard.create()
                    .withDescription("provider " + provider.name())
                    .withRetry()
                    .maxRetries(routing.retries())
                    .delay(routing.retryDelay().toMillis(), ChronoUnit.MILLIS)
                    .jitter(Math.max(1, routing.retryDelay().toMillis() / 2), ChronoUnit.MILLIS)
                    .whenException(ProviderRouter::transientFailure)
                    .done()
                    .withCircuitBreaker()
                    .name(circuitName(provider.name()))
                    .requestVolumeThreshold(routing.circuitRequestVolume())
                    .failureRatio(routing.circuitFailureRatio())
                    .delay(routing.circuitDelay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(1)
                    .when(ProviderRouter::healthFailure)
                    .done()
                    .withRateLimit()
                    .limit(Math.max(1, provider.requestsPerMinute()))
                    .window(1, ChronoUnit.MINUTES)
                    .done()
                    .withTimeout()
                    .duration(callTimeoutMillis(), ChronoUnit.MILLIS)
                    .done()
                    .build();
        }
    }

    private final IngestionConfig config;
    private final MeterRegistry registry;
    private final Map<String, Tracked> providers = new LinkedHashMap<>();

    public ProviderRouter(Instance<MarketDataProvider> all, IngestionConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        for (MarketDataProvider provider : all) {
            Tracked tracked = new Tracked(provider);
            providers.put(provider.name(), tracked);
            Gauge.builder("ingestion.provider.circuit.state", () -> circuitCode(provider.name()))
                    .description("Circuit breaker per provider: 0 closed, 1 half-open, 2 open")
                    .tag("provider", provider.name()).register(registry);
        }
    }

    // --- data types ------------------------------------------------------------------------

    public Uni<Fetched<List<Tick>>> quotes(List<String> symbols, List<String> candidates) {
        return route("quotes of " + symbols.size() + " symbols", Capability.QUOTES, config.routing().quotes(), candidates,
                provider -> inChunks(provider, symbols));
    }

    public Uni<Fetched<List<Bar>>> bars(String symbol, LocalDate from, LocalDate to, List<String> candidates) {
        return route("bars of " + symbol, Capability.DAILY_BARS, config.routing().bars(), candidates,
                provider -> provider.dailyBars(symbol, from, to));
    }

    public Uni<Fetched<List<Dividend>>> dividends(String symbol, LocalDate from, LocalDate to, List<String> candidates) {
        return route("dividends of " + symbol, Capability.DIVIDENDS, config.routing().dividends(), candidates,
                provider -> provider.dividends(symbol, from, to));
    }

    public Uni<Fetched<List<Split>>> splits(String symbol, LocalDate from, LocalDate to, List<String> candidates) {
        return route("splits of " + symbol, Capability.SPLITS, config.routing().splits(), candidates,
                provider -> provider.splits(symbol, from, to));
    }

    public boolean isKnown(String provider) {
        return providers.containsKey(provider);
    }

    /** The providers configured for a data type, in order (the first one is the one runs are booked to). */
    public List<String> order(Capability capability) {
        return switch (capability) {
            case QUOTES -> config.routing().quotes();
            case DAILY_BARS -> config.routing().bars();
            case DIVIDENDS -> config.routing().dividends();
            case SPLITS -> config.routing().splits();
        };
    }

    /** rowsWritten: rows each provider's scheduled runs stored (from raw.sync_state), by provider name. */
    public List<ProviderState> states(Map<String, Long> rowsWritten) {
        List<ProviderState> states = new ArrayList<>();
        for (Tracked t : providers.values()) {
            states.add(new ProviderState(t.provider.name(), t.provider.enabled(),
                    t.provider.capabilities().stream().map(Enum::name).map(String::toLowerCase).toList(),
                    circuitState(t.provider.name()).name().toLowerCase(), t.provider.requestsPerMinute(),
                    t.calls.get(), t.failures.get(), rowsWritten.getOrDefault(t.provider.name(), 0L),
                    t.lastSuccess.get(), t.lastFailure.get(), t.lastError.get()));
        }
        return states;
    }

    // --- the routing ------------------------------------------------------------------------

    /** candidates: the providers to try in order; empty = the configured order for the data type. */
    private <T> Uni<Fetched<T>> route(String what, Capability capability, List<String> order, List<String> candidates,
                                      Function<MarketDataProvider, Uni<T>> call) {
        List<String> failures = new ArrayList<>();
        return attempt(what, capability, candidates.isEmpty() ? order : candidates, 0, failures, call);
    }

    private <T> Uni<Fetched<T>> attempt(String what, Capability capability, List<String> candidates, int index,
                                        List<String> failures, Function<MarketDataProvider, Uni<T>> call) {
        if (index >= candidates.size()) {
            return Uni.createFrom().failure(new NoProviderException(what, List.copyOf(failures)));
        }
        String name = candidates.get(index);
        Tracked tracked = providers.get(name);
        String skip = tracked == null ? "unknown provider"
                : !tracked.provider.enabled() ? "disabled"
                : !tracked.provider.capabilities().contains(capability) ? "does not provide " + capability
                : circuitState(name) == CircuitBreakerState.OPEN ? "circuit open"
                : null;
        if (skip != null) {
            failures.add(name + ": " + skip);
            return attempt(what, capability, candidates, index + 1, failures, call);
        }
        return guarded(tracked, call)
                .map(data -> new Fetched<>(name, data, List.copyOf(failures)))
                .onFailure().recoverWithUni(failure -> {
                    failures.add(name + ": " + describe(failure));
                    return attempt(what, capability, candidates, index + 1, failures, call);
                });
    }

    @SuppressWarnings("unchecked")
    private <T> Uni<T> guarded(Tracked tracked, Function<MarketDataProvider, Uni<T>> call) {
        String name = tracked.provider.name();
        Uni<Object> result = tracked.guard.get(() -> {
            tracked.calls.incrementAndGet();
            counter(name, "call").increment();
            return (Uni<Object>) call.apply(tracked.provider);
        }, UNI);
        return (Uni<T>) result
                .invoke(() -> tracked.lastSuccess.set(Instant.now()))
                .onFailure().invoke(failure -> {
                    tracked.failures.incrementAndGet();
                    tracked.lastFailure.set(Instant.now());
                    tracked.lastError.set(describe(failure));
                    counter(name, outcome(failure)).increment();
                    LOG.debugf("Provider %s failed: %s", name, describe(failure));
                });
    }

    private <T> Uni<List<T>> inChunks(MarketDataProvider provider, List<String> symbols) {
        int size = Math.max(1, provider.maxSymbolsPerRequest());
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < symbols.size(); i += size) {
            chunks.add(symbols.subList(i, Math.min(symbols.size(), i + size)));
        }
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(chunk -> {
                    @SuppressWarnings("unchecked")
                    Uni<List<T>> quotes = (Uni<List<T>>) (Uni<?>) provider.quotes(chunk);
                    return quotes;
                })
                .collect().in(ArrayList::new, List::addAll);
    }

    // --- classification ---------------------------------------------------------------------

    static boolean transientFailure(Throwable failure) {
        return failure instanceof TimeoutException
                || failure instanceof ProviderException pe && pe.retryable();
    }

    static boolean healthFailure(Throwable failure) {
        return failure instanceof TimeoutException
                || failure instanceof ProviderException pe && pe.healthFailure();
    }

    private static String outcome(Throwable failure) {
        if (failure instanceof ProviderException pe) {
            return pe.kind().name().toLowerCase();
        }
        if (failure instanceof CircuitBreakerOpenException) {
            return "circuit_open";
        }
        if (failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException
                && failure.getClass().getSimpleName().contains("RateLimit")) {
            return "quota";
        }
        return failure instanceof TimeoutException ? "timeout" : "error";
    }

    private static String describe(Throwable failure) {
        String outcome = outcome(failure);
        return switch (outcome) {
            case "quota" -> "quota exhausted";
            case "circuit_open" -> "circuit open";
            case "timeout" -> "timed out";
            default -> failure.getMessage();
        };
    }

    private Counter counter(String provider, String outcome) {
        return Counter.builder("ingestion.provider.calls").description("Provider calls by outcome")
                .tag("provider", provider).tag("outcome", outcome).register(registry);
    }

    private long callTimeoutMillis() {
        return config.routing().callTimeout().toMillis();
    }

    static String circuitName(String provider) {
        return "provider-" + provider;
    }

    private static CircuitBreakerState circuitState(String provider) {
        try {
            return CircuitBreakerMaintenance.get().currentState(circuitName(provider));
        } catch (IllegalArgumentException e) {
            return CircuitBreakerState.CLOSED;
        }
    }

    private static double circuitCode(String provider) {
        return switch (circuitState(provider)) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }
}
