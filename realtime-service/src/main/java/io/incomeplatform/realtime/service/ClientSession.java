package io.incomeplatform.realtime.service;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.http.HttpConnection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One open connection: what it is subscribed to, the updates waiting for its next {@code prices}
 * message (coalesced per symbol, so at most one per subscribed symbol is ever held), its
 * {@code seq} and its flow control. Every field is guarded by {@code this}; messages are built and
 * written on the connection's own event loop ({@link #context}), so one busy connection never
 * holds up the others.
 */
public final class ClientSession {

    /** RFC 6455 "policy violation": the token's {@code exp} has passed. */
    public static final CloseReason TOKEN_EXPIRED = new CloseReason(1008, "token expired");
    /** Application code: the client did not read what was sent to it for {@code realtime.slow-client-timeout}. */
    public static final CloseReason SLOW_CLIENT = new CloseReason(4000, "slow client: not reading");
    /** RFC 6455 "going away": this replica shuts down, reconnect (to another one). */
    public static final CloseReason GOING_AWAY = new CloseReason(1001, "server shutting down");

    private final WebSocketConnection connection;
    private final HttpConnection tcpConnection;
    private final String userId;
    private final Context context;
    private final int phase;
    private final int maxUnsentMessages;
    private final Duration closeTimeout;
    private final RealtimeMetrics metrics;

    /** Messages are built on event-loop threads, one at a time per thread: one builder each, reused. */
    private static final ThreadLocal<StringBuilder> MESSAGE_BUILDER = ThreadLocal.withInitial(() -> new StringBuilder(4096));
    private static final int MAX_RETAINED_BUILDER = 256 * 1024;

    private final Map<String, Subscription> subscriptions = new HashMap<>();
    /** Subscriptions with an update for the next message, in arrival order; each appears once. */
    private Subscription queueHead;
    private Subscription queueTail;
    private int watchedCount;
    private boolean flushScheduled;
    private boolean closed;
    private boolean closing;
    private long seq;
    private int unsentMessages;
    /** When the socket last took a message while others still waited; 0 when nothing waits. */
    private long stalledSinceNanos;
    private long expiryTimerId = -1;

    public ClientSession(WebSocketConnection connection, HttpConnection tcpConnection, String userId, Context context,
                         int phase, int maxUnsentMessages, Duration closeTimeout, RealtimeMetrics metrics) {
        this.connection = connection;
        this.tcpConnection = tcpConnection;
        this.userId = userId;
        this.context = context;
        this.phase = phase;
        this.maxUnsentMessages = maxUnsentMessages;
        this.closeTimeout = closeTimeout;
        this.metrics = metrics;
    }

    public String userId() {
        return userId;
    }

    public String connectionId() {
        return connection.id();
    }

    /** The moment of the batch window at which this connection is flushed (see PriceFanout). */
    int phase() {
        return phase;
    }

    // ---- subscriptions: changed only through SubscriptionRegistry (under this session's lock),
    // which keeps the symbol index in step with the booleans returned here ----

    synchronized boolean isClosed() {
        return closed;
    }

    public synchronized boolean holds(String symbol) {
        Subscription subscription = subscriptions.get(symbol);
        return subscription != null && subscription.held;
    }

    synchronized int watchedCount() {
        return watchedCount;
    }

    synchronized boolean isWatched(String symbol) {
        Subscription subscription = subscriptions.get(symbol);
        return subscription != null && subscription.watched;
    }

    /** Returns the new subscription when the symbol was neither held nor watched before, else null. */
    synchronized Subscription watch(String symbol) {
        Subscription subscription = subscriptions.get(symbol);
        if (subscription != null && subscription.watched) {
            return null;
        }
        Subscription created = null;
        if (subscription == null) {
            subscription = created = new Subscription(this, symbol);
            subscriptions.put(symbol, subscription);
        }
        subscription.watched = true;
        watchedCount++;
        return created;
    }

    /** Returns the subscription that ended (the symbol was watched and not held), else null. */
    synchronized Subscription unwatch(String symbol) {
        Subscription subscription = subscriptions.get(symbol);
        if (subscription == null || !subscription.watched) {
            return null;
        }
        subscription.watched = false;
        watchedCount--;
        if (subscription.held) {
            return null;
        }
        end(subscription);
        return subscription;
    }

    /** Makes {@code holdings} the held symbols; fills {@code added} / {@code removed} with subscription changes. */
    synchronized void hold(Set<String> holdings, List<Subscription> added, List<Subscription> removed) {
        for (Subscription subscription : new ArrayList<>(subscriptions.values())) {
            if (subscription.held && !holdings.contains(subscription.symbol)) {
                subscription.held = false;
                if (!subscription.watched) {
                    end(subscription);
                    removed.add(subscription);
                }
            }
        }
        for (String symbol : holdings) {
            Subscription subscription = subscriptions.get(symbol);
            if (subscription == null) {
                subscription = new Subscription(this, symbol);
                subscriptions.put(symbol, subscription);
                added.add(subscription);
            }
            subscription.held = true;
        }
    }

    private void end(Subscription subscription) {
        subscriptions.remove(subscription.symbol);
        subscription.active = false;
        subscription.pending = null; // a queued subscription without an update is skipped by flush
    }

    /** Marks the session closed and returns every subscription it had. */
    synchronized List<Subscription> markClosed() {
        closed = true;
        queueHead = queueTail = null;
        List<Subscription> all = new ArrayList<>(subscriptions.values());
        all.forEach(subscription -> subscription.active = false);
        subscriptions.clear();
        return all;
    }

    // ---- price delivery -----------------------------------------------------------------------

    /**
     * Keeps a tick of the live feed for the next message, replacing an older one of the same
     * symbol; ignored when the symbol is no longer subscribed. Returns true when the caller must
     * schedule {@link #flush()} (none is scheduled yet).
     */
    synchronized boolean stage(Subscription subscription, PriceUpdate update) {
        return stage(subscription, update, true);
    }

    private boolean stage(Subscription subscription, PriceUpdate update, boolean live) {
        if (closed || !subscription.active) {
            return false;
        }
        PriceUpdate current = subscription.pending;
        if (current == null || update.tsEpochMillis() >= current.tsEpochMillis()) {
            subscription.pending = update;
            subscription.pendingIsLive = live;
        }
        if (!subscription.queued) {
            subscription.queued = true;
            if (queueTail == null) {
                queueHead = subscription;
            } else {
                queueTail.nextQueued = subscription;
            }
            queueTail = subscription;
        }
        if (flushScheduled) {
            return false;
        }
        flushScheduled = true;
        return true;
    }

    /**
     * {@link #stage} by symbol, for the latest known prices sent on a new subscription. Those may be
     * hours old (the last close), so they are left out of the delivery-lag metric.
     */
    synchronized boolean stageLatestKnown(PriceUpdate update) {
        Subscription subscription = subscriptions.get(update.symbol());
        return subscription != null && stage(subscription, update, false);
    }

    /** Writes the waiting updates as one {@code prices} message, on this connection's event loop. */
    void scheduleFlush() {
        context.runOnContext(ignored -> flush());
    }

    private void flush() {
        String message;
        int updates = 0;
        long oldestLiveTick = Long.MAX_VALUE;
        synchronized (this) {
            flushScheduled = false;
            if (closed || queueHead == null || unsentMessages >= maxUnsentMessages) {
                // A full socket: keep coalescing; the write completion (or the stall check) takes over.
                return;
            }
            StringBuilder json = MESSAGE_BUILDER.get();
            json.setLength(0);
            json.append("{\"type\":\"prices\",\"seq\":").append(seq + 1).append(",\"updates\":[");
            for (Subscription subscription = queueHead; subscription != null; ) {
                Subscription next = subscription.nextQueued;
                PriceUpdate update = subscription.pending;
                boolean live = subscription.pendingIsLive;
                subscription.queued = false;
                subscription.pending = null;
                subscription.nextQueued = null;
                subscription = next;
                if (update == null) {
                    continue; // unsubscribed since it was staged
                }
                if (updates++ > 0) {
                    json.append(',');
                }
                json.append(update.json());
                if (live) {
                    oldestLiveTick = Math.min(oldestLiveTick, update.tsEpochMillis());
                }
            }
            queueHead = queueTail = null;
            if (updates == 0) {
                return;
            }
            json.append("]}");
            seq++;
            if (unsentMessages++ == 0) {
                stalledSinceNanos = System.nanoTime();
            }
            message = json.toString();
            if (json.capacity() > MAX_RETAINED_BUILDER) {
                MESSAGE_BUILDER.remove();
            }
        }
        metrics.pricesSent(updates, message.length(), oldestLiveTick);
        connection.sendText(message).subscribe().with(ignored -> onWritten(), failure -> onWritten());
    }

    private void onWritten() {
        boolean flushAgain;
        synchronized (this) {
            unsentMessages--;
            stalledSinceNanos = unsentMessages > 0 ? System.nanoTime() : 0;
            flushAgain = !closed && queueHead != null && !flushScheduled;
            if (flushAgain) {
                flushScheduled = true;
            }
        }
        if (flushAgain) {
            scheduleFlush();
        }
    }

    /** True when the socket has taken nothing for {@code timeoutNanos} while messages wait. */
    synchronized boolean isStalled(long nowNanos, long timeoutNanos) {
        return !closed && !closing && unsentMessages > 0 && nowNanos - stalledSinceNanos > timeoutNanos;
    }

    /**
     * Small protocol messages (pong, error, dashboard-updated) bypass batching but count as unsent
     * like prices messages, so a client that sends pings without reading the pongs is found stalled
     * and disconnected instead of piling up writes without bound.
     */
    public void sendControl(String json) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (unsentMessages++ == 0) {
                stalledSinceNanos = System.nanoTime();
            }
        }
        metrics.controlSent(json.length());
        // A failed write means the connection is closing; its @OnClose cleans up.
        connection.sendText(json).subscribe().with(ignored -> onWritten(), failure -> onWritten());
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    public synchronized void expiryTimer(long timerId) {
        expiryTimerId = timerId;
    }

    public synchronized long expiryTimer() {
        return expiryTimerId;
    }

    /**
     * Starts the close handshake once; later calls (a second stall check, shutdown) do nothing.
     * A client that does not read never sees our close frame (it queues behind the unread data),
     * so after {@code close-timeout} the TCP connection is dropped.
     */
    public Uni<Void> close(CloseReason reason) {
        synchronized (this) {
            if (closed || closing) {
                return Uni.createFrom().voidItem();
            }
            closing = true;
        }
        context.owner().setTimer(closeTimeout.toMillis(), ignored -> {
            if (!isClosed()) {
                tcpConnection.close();
            }
        });
        return connection.close(reason);
    }
}
