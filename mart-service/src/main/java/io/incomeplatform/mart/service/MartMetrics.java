package io.incomeplatform.mart.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Domain metrics: refresh and sync durations, rows, failures, data test failures and age per mart. */
@ApplicationScoped
public class MartMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> rows = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastSync = new ConcurrentHashMap<>();

    public MartMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (MartCatalog.Mart mart : MartCatalog.MARTS) {
            String name = mart.name();
            Gauge.builder("mart.rows", rows.computeIfAbsent(name, n -> new AtomicLong()), AtomicLong::get)
                    .tag("mart", name).description("Rows of the mart at its last refresh").register(registry);
            Gauge.builder("mart.age.seconds", this, m -> m.ageSeconds(name))
                    .tag("mart", name).description("Seconds since the mart was last synced to the serving side (NaN: never)")
                    .register(registry);
        }
    }

    public void refreshed(String name, long rowCount, Duration duration) {
        Timer.builder("mart.refresh.duration").tag("mart", name).register(registry).record(duration);
        rows.computeIfAbsent(name, n -> new AtomicLong()).set(rowCount);
    }

    public void refreshFailed(String name) {
        registry.counter("mart.refresh.failures", "mart", name).increment();
    }

    public void dataTestFailed(String name, String test) {
        registry.counter("mart.data_test.failures", "mart", name, "test", test).increment();
    }

    public void synced(String name, Duration duration, Instant syncedAt) {
        Timer.builder("mart.sync.duration").tag("mart", name).register(registry).record(duration);
        lastSync.put(name, syncedAt);
    }

    public void syncFailed(String name) {
        registry.counter("mart.sync.failures", "mart", name).increment();
    }

    /** Seeds the age gauges from serving.mart_status (after a restart). */
    public void knownSync(String name, Instant syncedAt) {
        lastSync.merge(name, syncedAt, (a, b) -> a.isAfter(b) ? a : b);
    }

    public void portfolioComputed(Duration duration, boolean failed) {
        Timer.builder("mart.portfolio.duration").tag("outcome", failed ? "failure" : "success").register(registry).record(duration);
    }

    double ageSeconds(String name) {
        Instant at = lastSync.get(name);
        return at == null ? Double.NaN : Duration.between(at, Instant.now()).toMillis() / 1000.0;
    }
}
