package io.incomeplatform.dashboard.service;

import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Builds in progress, by key: a caller asking for a key while its build runs waits for that build instead of
 * starting another. A build runs to its end whoever waits for it (a caller that stops waiting, say on a
 * timeout, cancels only its own wait), and is forgotten when it ends, or fails with a TimeoutException when it
 * outlives the deadline: either way the next caller starts a new one.
 * <p>
 * Each caller gets its own Uni over a copy of the build's CompletableFuture, which signals its subscription
 * before the result whatever thread completes the build. Uni.memoize() did not: Mutiny 3.1 hands the result to
 * a waiter that subscribed on one thread while the build completed on another before that waiter's
 * onSubscribe has run, and a chain() downstream then takes the result for its own input (a
 * ClassCastException in about one of 300,000 dashboard misses under load).
 */
final class SharedBuilds<K, V> {

    private final ConcurrentHashMap<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();
    private final Duration deadline;

    SharedBuilds(Duration deadline) {
        this.deadline = deadline;
    }

    /** The result of key's running build, else of the build start() makes now. */
    Uni<V> join(K key, Supplier<Uni<? extends V>> start) {
        CompletableFuture<V> created = new CompletableFuture<>();
        CompletableFuture<V> build = running.putIfAbsent(key, created);
        if (build == null) {
            build = created;
            Uni.createFrom().deferred(start).ifNoItem().after(deadline).fail().subscribe().with(
                    item -> {
                        running.remove(key, created);
                        created.complete(item);
                    },
                    failure -> {
                        running.remove(key, created);
                        created.completeExceptionally(failure);
                    });
        }
        CompletableFuture<V> shared = build;
        // A copy per caller: cancelling a caller's Uni cancels its copy, not the build.
        return Uni.createFrom().completionStage(shared::copy);
    }

    /** How many builds are running (for tests). */
    int running() {
        return running.size();
    }
}
