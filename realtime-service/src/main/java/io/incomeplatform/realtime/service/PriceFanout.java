package io.incomeplatform.realtime.service;

import io.incomeplatform.realtime.config.RealtimeConfig;
import io.incomeplatform.realtime.repository.MarketStateRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the tick stream into batched {@code prices} messages. Ticks of the current window are
 * coalesced into one latest update per symbol; at the end of each window every updated symbol is
 * handed to the connections subscribed to it (through the symbol index, never by scanning all
 * connections) and each touched connection writes one message on its own event loop.
 */
@ApplicationScoped
public class PriceFanout {

    private static final Logger LOG = Logger.getLogger(PriceFanout.class);

    private final SubscriptionRegistry registry;
    private final MarketStateRepository marketState;
    private final RealtimeMetrics metrics;
    private final RealtimeConfig config;
    private final Vertx vertx;

    private final Object windowLock = new Object();
    private Map<String, PriceUpdate> window = new HashMap<>();
    private long windowTimer = -1;
    private long stallTimer = -1;

    public PriceFanout(SubscriptionRegistry registry, MarketStateRepository marketState, RealtimeMetrics metrics,
                       RealtimeConfig config, Vertx vertx) {
        this.registry = registry;
        this.marketState = marketState;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        windowTimer = vertx.setPeriodic(config.batchWindow().toMillis(), ignored -> endWindow());
        long stallCheckMillis = Math.max(100, Math.min(1000, config.slowClientTimeout().toMillis() / 4));
        stallTimer = vertx.setPeriodic(stallCheckMillis, ignored -> disconnectStalledClients());
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(windowTimer);
        vertx.cancelTimer(stallTimer);
    }

    /** Called for every tick from Redis: only remembers it as the symbol's latest in this window. */
    public void accept(List<PriceUpdate> updates) {
        synchronized (windowLock) {
            for (PriceUpdate update : updates) {
                PriceUpdate current = window.get(update.symbol());
                if (current == null || update.tsEpochMillis() >= current.tsEpochMillis()) {
                    window.put(update.symbol(), update);
                }
            }
        }
    }

    /** Sends the latest known prices of {@code symbols} (from Redis) to one connection right away. */
    public Uni<Void> sendLatest(ClientSession session, Collection<String> symbols) {
        if (symbols.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return marketState.latestPrices(symbols)
                .invoke(updates -> {
                    boolean schedule = false;
                    for (PriceUpdate update : updates) {
                        schedule |= session.stage(update);
                    }
                    if (schedule) {
                        session.scheduleFlush();
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("Latest prices unavailable for a new subscription: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private void endWindow() {
        Map<String, PriceUpdate> closing;
        synchronized (windowLock) {
            if (window.isEmpty()) {
                return;
            }
            closing = window;
            window = new HashMap<>(Math.max(16, closing.size() * 2));
        }
        List<ClientSession> touched = new ArrayList<>(registry.connectionCount());
        for (PriceUpdate update : closing.values()) {
            for (Subscription subscription : registry.subscribersOf(update.symbol())) {
                if (subscription.session.stage(subscription, update)) {
                    touched.add(subscription.session);
                }
            }
        }
        for (ClientSession session : touched) {
            session.scheduleFlush();
        }
    }

    private void disconnectStalledClients() {
        long now = System.nanoTime();
        long timeout = config.slowClientTimeout().toNanos();
        for (ClientSession session : registry.all()) {
            if (session.isStalled(now, timeout)) {
                LOG.infof("Disconnecting slow client %s of user %s", session.connectionId(), session.userId());
                metrics.slowClientDisconnected();
                session.close(ClientSession.SLOW_CLIENT).subscribe().with(ignored -> {
                }, failure -> LOG.debugf("Closing slow client failed: %s", failure.toString()));
            }
        }
    }
}
