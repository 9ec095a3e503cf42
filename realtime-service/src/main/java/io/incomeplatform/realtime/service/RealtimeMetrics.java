package io.incomeplatform.realtime.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The fan-out's domain metrics, all prefixed {@code realtime_} in /q/metrics. */
@ApplicationScoped
public class RealtimeMetrics {

    private final AtomicLong openConnections = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final Counter pricesMessages;
    private final Counter controlMessages;
    private final Counter bytesSent;
    private final DistributionSummary batchSize;
    private final Timer deliveryLag;
    private final Counter slowClientDisconnects;
    private final Counter expiredTokenDisconnects;
    private final Counter ticksReceived;
    private final Counter ticksRejected;

    public RealtimeMetrics(MeterRegistry registry) {
        Gauge.builder("realtime.connections.open", openConnections, AtomicLong::get)
                .description("Open WebSocket connections on this replica").register(registry);
        Gauge.builder("realtime.subscriptions", subscriptions, AtomicLong::get)
                .description("Symbol subscriptions over all connections (holdings and watched)").register(registry);
        pricesMessages = Counter.builder("realtime.messages.sent").tag("type", "prices").register(registry);
        controlMessages = Counter.builder("realtime.messages.sent").tag("type", "control").register(registry);
        bytesSent = Counter.builder("realtime.sent.bytes").baseUnit("bytes")
                .description("UTF-16 characters of text frames written, a close estimate of bytes for ASCII JSON")
                .register(registry);
        batchSize = DistributionSummary.builder("realtime.batch.updates")
                .description("Updates per prices message").publishPercentiles(0.5, 0.99).register(registry);
        deliveryLag = Timer.builder("realtime.delivery.lag")
                .description("From the oldest live tick's ts in a prices message to the moment it is sent"
                        + " (latest known prices sent on subscribe are left out: they may be hours old)")
                .publishPercentiles(0.5, 0.99).register(registry);
        slowClientDisconnects = Counter.builder("realtime.disconnects").tag("reason", "slow-client").register(registry);
        expiredTokenDisconnects = Counter.builder("realtime.disconnects").tag("reason", "token-expired").register(registry);
        ticksReceived = Counter.builder("realtime.ticks.received").register(registry);
        ticksRejected = Counter.builder("realtime.ticks.rejected")
                .description("Ticks on income:ticks that were not valid tick objects").register(registry);
    }

    void connectionOpened() {
        openConnections.incrementAndGet();
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    void subscriptionsChanged(long delta) {
        subscriptions.addAndGet(delta);
    }

    /** {@code oldestLiveTickEpochMillis} is Long.MAX_VALUE when the message held only latest known prices. */
    void pricesSent(int updates, int chars, long oldestLiveTickEpochMillis) {
        pricesMessages.increment();
        bytesSent.increment(chars);
        batchSize.record(updates);
        if (oldestLiveTickEpochMillis != Long.MAX_VALUE) {
            deliveryLag.record(Math.max(0, System.currentTimeMillis() - oldestLiveTickEpochMillis), TimeUnit.MILLISECONDS);
        }
    }

    void controlSent(int chars) {
        controlMessages.increment();
        bytesSent.increment(chars);
    }

    void slowClientDisconnected() {
        slowClientDisconnects.increment();
    }

    public void expiredTokenDisconnected() {
        expiredTokenDisconnects.increment();
    }

    public void ticksReceived(int valid, int rejected) {
        ticksReceived.increment(valid);
        ticksRejected.increment(rejected);
    }
}
