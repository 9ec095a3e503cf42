package io.incomeplatform.mart.service;

import io.smallrye.mutiny.Uni;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A refresh's steps as a dependency graph, run on at most {@code lanes} steps at a time: a step starts
 * once the steps it names have succeeded and a lane is free. Independent work overlaps (the dividend
 * tables build while the price tables do, a mart syncs while the next one builds), which uses both cores
 * of a small machine where one step at a time used one.
 * <p>
 * When lanes are scarce, the waiting step with the longest path to the end of the run starts first (its
 * estimated duration plus that of the longest chain of steps after it; MartCatalog.NEW_DAY_MS, 1 for a
 * step without an estimate): a new trading day's treemap (1.3 s, then its sync) must not wait behind
 * syncs nothing else waits for. Equal paths start in the order the steps were added.
 * <p>
 * A failure stops the run as a failure of a sequential run would: nothing new starts after it, the steps
 * already running finish (so that no statement outlives the refresh lock), then {@link #run()} fails with it.
 * Steps are added in dependency order (a step names only steps added before it). One instance per run.
 */
final class StepGraph {

    /** A step waiting for a lane: the longest path first, then the order the steps were added in. */
    private record Waiting(long path, int order, Runnable start) {
    }

    private final Map<String, Uni<Boolean>> steps = new LinkedHashMap<>();
    private final Map<String, List<String>> runsAfter = new HashMap<>();
    private final Map<String, Long> estimates;
    private final Map<String, Long> paths = new HashMap<>();
    private final Queue<Waiting> waiting = new PriorityQueue<>(
            Comparator.comparingLong(Waiting::path).reversed().thenComparingInt(Waiting::order));
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private int free;

    StepGraph(int lanes) {
        this(lanes, Map.of());
    }

    /** estimates: each step's expected duration in ms (a step missing counts 1). */
    StepGraph(int lanes, Map<String, Long> estimates) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1, was " + lanes);
        }
        this.free = lanes;
        this.estimates = estimates;
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
        int order = steps.size();
        steps.put(name, ready.chain(go -> go && failure.get() == null ? onLane(name, order, work) : Uni.createFrom().item(false))
                .memoize().indefinitely());
        runsAfter.put(name, after);
        return this;
    }

    /** Runs every step; completes when all have ended, failing with the first failure. */
    Uni<Void> run() {
        if (steps.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        computePaths();
        return Uni.combine().all().unis(List.copyOf(steps.values())).discardItems()
                .chain(() -> failure.get() == null ? Uni.createFrom().voidItem() : Uni.createFrom().failure(failure.get()));
    }

    /**
     * Each step's longest path to the end: its estimate plus the longest path of the steps that run after
     * it. Steps were added in dependency order, so walking them backwards meets every step after the
     * steps that depend on it.
     */
    private void computePaths() {
        List<String> names = List.copyOf(steps.keySet());
        Map<String, Long> longestAfter = new HashMap<>();
        for (int i = names.size() - 1; i >= 0; i--) {
            String name = names.get(i);
            long path = estimates.getOrDefault(name, 1L) + longestAfter.getOrDefault(name, 0L);
            paths.put(name, path);
            for (String dependency : runsAfter.get(name)) {
                longestAfter.merge(dependency, path, Math::max);
            }
        }
    }

    /** The work on a free lane (else queued for the next one); true when it succeeded, false when it failed. */
    private Uni<Boolean> onLane(String name, int order, Supplier<Uni<?>> work) {
        return Uni.createFrom().emitter(emitter -> {
            Runnable start = () -> {
                if (failure.get() != null) {
                    release();
                    emitter.complete(false);
                    return;
                }
                // The steps this one's end makes ready queue up (their readiness is signalled synchronously)
                // before its lane is handed on, so that the lane goes to the longest path among them all.
                Uni.createFrom().deferred(work).subscribe().with(
                        ignored -> {
                            emitter.complete(true);
                            release();
                        },
                        e -> {
                            failure.compareAndSet(null, e);
                            emitter.complete(false);
                            release();
                        });
            };
            boolean now;
            synchronized (this) {
                now = free > 0;
                if (now) {
                    free--;
                } else {
                    waiting.add(new Waiting(paths.getOrDefault(name, 1L), order, start));
                }
            }
            if (now) {
                start.run();
            }
        });
    }

    private void release() {
        Waiting next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                free++;
            }
        }
        if (next != null) {
            next.start().run();
        }
    }
}
