package io.incomeplatform.ingestion.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * Domain metrics of the write path: rows by data type, source and outcome
 * ({@code ingestion_rows_total{type,source,outcome=accepted|duplicate|rejected}}) and the latency of
 * one stored batch ({@code ingestion_batch_seconds{type}}).
 */
@ApplicationScoped
public class IngestMetrics {

    private final MeterRegistry registry;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    Timer.Sample startBatch() {
        return Timer.start(registry);
    }

    void recordBatch(Timer.Sample sample, DataType type, Map<String, Integer> validBySource,
                     Map<String, Integer> storedBySource, Map<String, Integer> rejectedBySource) {
        sample.stop(Timer.builder("ingestion.batch").description("Time to validate and store one batch")
                .tag("type", type.wireName()).publishPercentileHistogram(false).register(registry));
        validBySource.forEach((source, valid) -> {
            int stored = storedBySource.getOrDefault(source, 0);
            rows(type, source, "accepted").increment(stored);
            rows(type, source, "duplicate").increment(valid - stored);
        });
        rejectedBySource.forEach((source, count) -> rows(type, source, "rejected").increment(count));
    }

    void recordDisagreements(int count) {
        if (count > 0) {
            Counter.builder("ingestion.price.disagreements")
                    .description("Closes further from another source's than the tolerance (raw.price_disagreements)")
                    .register(registry).increment(count);
        }
    }

    private Counter rows(DataType type, String source, String outcome) {
        return Counter.builder("ingestion.rows").description("Raw rows by data type, source and outcome")
                .tag("type", type.wireName()).tag("source", source).tag("outcome", outcome).register(registry);
    }
}
