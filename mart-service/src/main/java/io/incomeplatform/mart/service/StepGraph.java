package io.incomeplatform.mart.service;

import io.smallrye.mutiny.Uni;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A refresh's steps as a dependency graph, run on at most {@code lanes} steps at a time: a step starts
 * once the steps it names have succeeded and a lane is free. Independent work overlaps (the dividend
 * tables build while the price tables do, a mart syncs while the next one builds), which uses both cores
 * of a small machine where one step at a time used one.
 * <p>
 * A failure stops the run as a failure of a sequential run would: nothing new starts after it, the steps
 * already running finish (so that no statement outlives the refresh lock), then {@link #run()} fails with it.
 * Steps are added in dependency order (a step names only steps added before it), which is also the order
 * they start in when lanes are scarce. One instance per run.
 */
final class StepGraph {

    private final Map<String, Uni<Boolean>> steps = new LinkedHashMap<>();
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private int free;

    StepGraph(int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1, was " + lanes);
        }
        this.free = lanes;
    }

    /** Adds a step that runs after the named steps (each added before) have succeeded. */
    StepGraph add(String name, List<String> after, Supplier<Uni<?>> work) {
        if (steps.containsKey(name)) {
            throw new IllegalArgumentException("Step added twice: " + name);
        }
        List<Uni<Boolean>> before = after.stream().map(dependency -> {
            Uni<Boolean> step = steps.get(dependency);
            if (step == null) {
                throw new IllegalArgumentException("Step " + name + " runs after " + dependency + ", which was not added before it");
            }
            return step;
        }).toList();
        Uni<Boolean> ready = before.isEmpty() ? Uni.createFrom().item(true)
                : Uni.combine().all().unis(before).with(Boolean.class, succeeded -> !succeeded.contains(false));
        steps.put(name, ready.chain(go -> go && failure.get() == null ? onLane(work) : Uni.createFrom().item(false))
                .memoize().indefinitely());
        return this;
    }

    /** Runs every step; completes when all have ended, failing with the first failure. */
    Uni<Void> run() {
        if (steps.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.combine().all().unis(List.copyOf(steps.values())).discardItems()
                .chain(() -> failure.get() == null ? Uni.createFrom().voidItem() : Uni.createFrom().failure(failure.get()));
    }

    /** The work on a free lane (else queued for the next one); true when it succeeded, false when it failed. */
    private Uni<Boolean> onLane(Supplier<Uni<?>> work) {
        return Uni.createFrom().emitter(emitter -> {
            Runnable start = () -> {
                if (failure.get() != null) {
                    release();
                    emitter.complete(false);
                    return;
                }
                Uni.createFrom().deferred(work).subscribe().with(
                        ignored -> {
                            release();
                            emitter.complete(true);
                        },
                        e -> {
                            failure.compareAndSet(null, e);
                            release();
                            emitter.complete(false);
                        });
            };
            boolean now;
            synchronized (this) {
                now = free > 0;
                if (now) {
                    free--;
                } else {
                    waiting.add(start);
                }
            }
            if (now) {
                start.run();
            }
        });
    }

    private void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                free++;
            }
        }
        if (next != null) {
            next.run();
        }
    }
}
