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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns the tick stream into batched {@code prices} messages. Ticks are coalesced into one latest
 * update per symbol for a fraction of the window (a phase); at the end of each phase every updated
 * symbol is handed to the connections subscribed to it (through the symbol index, never by scanning
 * all connections), where it waits, again coalesced, for the connection's own flush. Connections are
 * spread over {@code realtime.batch-phases} groups and each group is flushed once per window at its
 * phase, so every connection gets at most one message per window and the replica's sends are spread
 * evenly over the window. Each message is built and written on the connection's own event loop.
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
    /** Per phase, the connections with updates waiting; touched only by the phase timer. */
    private final List<List<ClientSession>> due = new ArrayList<>();
    private final AtomicInteger phaseAssignments = new AtomicInteger();
    private int currentPhase;
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
        for (int phase = 0; phase < phases(); phase++) {
            due.add(new ArrayList<>());
        }
        long phaseMillis = Math.max(1, config.batchWindow().toMillis() / phases());
        windowTimer = vertx.setPeriodic(phaseMillis, ignored -> endPhase());
        long stallCheckMillis = Math.max(100, Math.min(1000, config.slowClientTimeout().toMillis() / 4));
        stallTimer = vertx.setPeriodic(stallCheckMillis, ignored -> disconnectStalledClients());
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(windowTimer);
        vertx.cancelTimer(stallTimer);
    }

    /** The flush group of a new connection: round robin. */
    public int assignPhase() {
        return Math.floorMod(phaseAssignments.getAndIncrement(), phases());
    }

    private int phases() {
        return Math.max(1, config.batchPhases());
    }

    /** Called for every tick from Redis: only remembers it as the symbol's latest of the current phase. */
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
                    updates.forEach(session::stageLatestKnown);
                    if (!updates.isEmpty()) {
                        session.scheduleFlush(); // now, not at the connection's phase
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("Latest prices unavailable for a new subscription: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private void endPhase() {
        Map<String, PriceUpdate> closing = null;
        synchronized (windowLock) {
            if (!window.isEmpty()) {
                closing = window;
                window = new HashMap<>(Math.max(16, closing.size() * 2));
            }
        }
        if (closing != null) {
            for (PriceUpdate update : closing.values()) {
                for (Subscription subscription : registry.subscribersOf(update.symbol())) {
                    ClientSession session = subscription.session;
                    if (session.stage(subscription, update)) {
                        due.get(session.phase()).add(session);
                    }
                }
            }
        }
        List<ClientSession> flushing = due.get(currentPhase);
        currentPhase = (currentPhase + 1) % due.size();
        for (ClientSession session : flushing) {
            session.scheduleFlush();
        }
        flushing.clear();
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
