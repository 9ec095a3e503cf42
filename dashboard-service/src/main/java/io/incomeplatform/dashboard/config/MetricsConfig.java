package io.incomeplatform.dashboard.config;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * Latency per endpoint: the HTTP server timer (http_server_requests_seconds, tagged with the URI
 * template) publishes p50/p95/p99 and a histogram, so Prometheus can aggregate percentiles across
 * replicas too. Buckets span 1 ms to 5 s: cache hits are milliseconds, a slow database seconds.
 */
@Singleton
public class MetricsConfig {

    @Produces
    @Singleton
    public MeterFilter endpointLatencyPercentiles() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals("http.server.requests")) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentiles(0.5, 0.95, 0.99)
                        .percentilesHistogram(true)
                        .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                        .maximumExpectedValue((double) Duration.ofSeconds(5).toNanos())
                        .build()
                        .merge(config);
            }
        };
    }
}
