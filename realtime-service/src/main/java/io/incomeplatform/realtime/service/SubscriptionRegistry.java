package io.incomeplatform.realtime.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open sessions of this replica, indexed by symbol and by user, so a tick or a notification
 * costs work only for the connections it concerns. A session's subscription changes and the
 * matching index changes happen under the session's lock, so the index never disagrees with the
 * session for longer than one such change.
 */
@ApplicationScoped
public class SubscriptionRegistry {

    private final ConcurrentHashMap<String, Set<Subscription>> bySymbol = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ClientSession> byConnection = new ConcurrentHashMap<>();
    private final RealtimeMetrics metrics;

    public SubscriptionRegistry(RealtimeMetrics metrics) {
        this.metrics = metrics;
    }

    public void register(ClientSession session) {
        byConnection.put(session.connectionId(), session);
        add(byUser, session.userId(), session);
        metrics.connectionOpened();
    }

    /** Forgets a closed connection; returns it so the caller can cancel its timers. */
    public ClientSession unregister(String connectionId) {
        ClientSession session = byConnection.remove(connectionId);
        if (session == null) {
            return null;
        }
        synchronized (session) {
            List<Subscription> subscriptions = session.markClosed();
            for (Subscription subscription : subscriptions) {
                remove(bySymbol, subscription.symbol, subscription);
            }
            metrics.subscriptionsChanged(-subscriptions.size());
        }
        remove(byUser, session.userId(), session);
        metrics.connectionClosed();
        return session;
    }

    public ClientSession session(String connectionId) {
        return byConnection.get(connectionId);
    }

    /**
     * Adds watched symbols unless that would take the connection past {@code limit} watched
     * symbols (then nothing changes and null is returned). Returns the symbols that became newly
     * subscribed (not already watched or held).
     */
    public List<String> watch(ClientSession session, Collection<String> symbols, int limit) {
        synchronized (session) {
            if (session.isClosed()) {
                return List.of();
            }
            long extra = symbols.stream().distinct().filter(s -> !session.isWatched(s)).count();
            if (session.watchedCount() + extra > limit) {
                return null;
            }
            List<String> added = new ArrayList<>();
            for (String symbol : symbols) {
                Subscription subscription = session.watch(symbol);
                if (subscription != null) {
                    add(bySymbol, symbol, subscription);
                    added.add(symbol);
                }
            }
            metrics.subscriptionsChanged(added.size());
            return added;
        }
    }

    /** Removes watched symbols; a symbol the user holds stays subscribed. */
    public void unwatch(ClientSession session, Collection<String> symbols) {
        synchronized (session) {
            if (session.isClosed()) {
                return;
            }
            int removed = 0;
            for (String symbol : symbols) {
                Subscription subscription = session.unwatch(symbol);
                if (subscription != null) {
                    remove(bySymbol, symbol, subscription);
                    removed++;
                }
            }
            metrics.subscriptionsChanged(-removed);
        }
    }

    /** Makes {@code holdings} the session's held symbols; returns those that became newly subscribed. */
    public List<String> replaceHoldings(ClientSession session, Set<String> holdings) {
        synchronized (session) {
            if (session.isClosed()) {
                return List.of();
            }
            List<Subscription> added = new ArrayList<>();
            List<Subscription> removed = new ArrayList<>();
            session.hold(holdings, added, removed);
            added.forEach(subscription -> add(bySymbol, subscription.symbol, subscription));
            removed.forEach(subscription -> remove(bySymbol, subscription.symbol, subscription));
            metrics.subscriptionsChanged(added.size() - removed.size());
            return added.stream().map(subscription -> subscription.symbol).toList();
        }
    }

    /** The subscriptions to {@code symbol}, one per connection: a live view, never null. */
    Set<Subscription> subscribersOf(String symbol) {
        Set<Subscription> subscriptions = bySymbol.get(symbol);
        return subscriptions == null ? Set.of() : subscriptions;
    }

    public Set<ClientSession> sessionsOf(String userId) {
        Set<ClientSession> sessions = byUser.get(userId);
        return sessions == null ? Set.of() : sessions;
    }

    public Collection<ClientSession> all() {
        return byConnection.values();
    }

    private static <T> void add(ConcurrentHashMap<String, Set<T>> index, String key, T value) {
        index.compute(key, (k, values) -> {
            Set<T> set = values == null ? ConcurrentHashMap.newKeySet() : values;
            set.add(value);
            return set;
        });
    }

    private static <T> void remove(ConcurrentHashMap<String, Set<T>> index, String key, T value) {
        index.computeIfPresent(key, (k, values) -> {
            values.remove(value);
            return values.isEmpty() ? null : values;
        });
    }
}
