package io.incomeplatform.realtime.service;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.http.HttpConnection;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
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
    private final int maxUnsentMessages;
    private final Duration closeTimeout;
    private final RealtimeMetrics metrics;

    private Set<String> holdings = Set.of();
    private final Set<String> watched = new HashSet<>();
    private final Map<String, PriceUpdate> pending = new HashMap<>();
    private boolean flushScheduled;
    private boolean closed;
    private boolean closing;
    private long seq;
    private int unsentMessages;
    /** When the socket last took a message while others still waited; 0 when nothing waits. */
    private long stalledSinceNanos;
    private long expiryTimerId = -1;

    public ClientSession(WebSocketConnection connection, HttpConnection tcpConnection, String userId, Context context,
                         int maxUnsentMessages, Duration closeTimeout, RealtimeMetrics metrics) {
        this.connection = connection;
        this.tcpConnection = tcpConnection;
        this.userId = userId;
        this.context = context;
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

    // ---- subscriptions (changed only through SubscriptionRegistry, which keeps the symbol index) ----

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized boolean isSubscribed(String symbol) {
        return holdings.contains(symbol) || watched.contains(symbol);
    }

    public synchronized boolean holds(String symbol) {
        return holdings.contains(symbol);
    }

    synchronized Set<String> holdingsView() {
        return holdings;
    }

    synchronized void replaceHoldings(Set<String> symbols) {
        holdings = Set.copyOf(symbols);
    }

    synchronized Set<String> watchedView() {
        return watched;
    }

    /** Marks the session closed and returns every symbol it was subscribed to. */
    synchronized Set<String> markClosed() {
        closed = true;
        pending.clear();
        Set<String> all = new HashSet<>(holdings);
        all.addAll(watched);
        return all;
    }

    synchronized void dropPending(String symbol) {
        pending.remove(symbol);
    }

    // ---- price delivery -----------------------------------------------------------------------

    /**
     * Keeps {@code update} for the next message, replacing an older one of the same symbol.
     * Returns true when the caller must schedule {@link #flush()} (none is scheduled yet).
     */
    synchronized boolean stage(PriceUpdate update) {
        if (closed || !(holdings.contains(update.symbol()) || watched.contains(update.symbol()))) {
            return false;
        }
        PriceUpdate current = pending.get(update.symbol());
        if (current == null || update.tsEpochMillis() >= current.tsEpochMillis()) {
            pending.put(update.symbol(), update);
        }
        if (flushScheduled) {
            return false;
        }
        flushScheduled = true;
        return true;
    }

    /** Writes the waiting updates as one {@code prices} message, on this connection's event loop. */
    void scheduleFlush() {
        context.runOnContext(ignored -> flush());
    }

    private void flush() {
        String message;
        int updates;
        long oldestTick = Long.MAX_VALUE;
        synchronized (this) {
            flushScheduled = false;
            if (closed || pending.isEmpty() || unsentMessages >= maxUnsentMessages) {
                // A full socket: keep coalescing; the write completion (or the stall check) takes over.
                return;
            }
            updates = pending.size();
            StringBuilder json = new StringBuilder(48 + updates * 170);
            json.append("{\"type\":\"prices\",\"seq\":").append(++seq).append(",\"updates\":[");
            boolean first = true;
            for (PriceUpdate update : pending.values()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                json.append(update.json());
                oldestTick = Math.min(oldestTick, update.tsEpochMillis());
            }
            json.append("]}");
            pending.clear();
            if (unsentMessages++ == 0) {
                stalledSinceNanos = System.nanoTime();
            }
            message = json.toString();
        }
        metrics.pricesSent(updates, message.length(), oldestTick);
        connection.sendText(message).subscribe().with(ignored -> onWritten(), failure -> onWritten());
    }

    private void onWritten() {
        boolean flushAgain;
        synchronized (this) {
            unsentMessages--;
            stalledSinceNanos = unsentMessages > 0 ? System.nanoTime() : 0;
            flushAgain = !closed && !pending.isEmpty() && !flushScheduled;
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

    /** Small protocol messages (pong, error, dashboard-updated) bypass batching. */
    public void sendControl(String json) {
        if (isClosed()) {
            return;
        }
        metrics.controlSent(json.length());
        // A failed write means the connection is closing; its @OnClose cleans up.
        connection.sendText(json).subscribe().with(ignored -> {
        }, failure -> {
        });
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
