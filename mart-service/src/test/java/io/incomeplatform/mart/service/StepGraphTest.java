package io.incomeplatform.mart.service;

import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepGraphTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** A step that notes its start and end and takes the given time (on a timer thread, as I/O would). */
    private static Uni<Void> timed(String name, long millis, List<String> events, AtomicInteger running, AtomicInteger mostRunning) {
        return Uni.createFrom().voidItem()
                .invoke(() -> {
                    events.add("start " + name);
                    mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                })
                .onItem().delayIt().by(Duration.ofMillis(millis))
                .invoke(() -> {
                    running.decrementAndGet();
                    events.add("end " + name);
                });
    }

    @Test
    void shouldStartAStepOnlyAfterEveryStepItReadsHasEnded() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        new StepGraph(2)
                .add("as_of", List.of(), () -> timed("as_of", 20, events, running, most))
                .add("prices", List.of("as_of"), () -> timed("prices", 50, events, running, most))
                .add("dividends", List.of("as_of"), () -> timed("dividends", 10, events, running, most))
                .add("summary", List.of("prices", "dividends"), () -> timed("summary", 10, events, running, most))
                .run().await().atMost(WAIT);

        assertEquals(8, events.size(), events.toString());
        assertTrue(events.indexOf("end as_of") < events.indexOf("start prices"), events.toString());
        assertTrue(events.indexOf("end as_of") < events.indexOf("start dividends"), events.toString());
        assertTrue(events.indexOf("end prices") < events.indexOf("start summary"), events.toString());
        assertTrue(events.indexOf("end dividends") < events.indexOf("start summary"), events.toString());
        // prices and dividends read only as_of: they ran side by side (dividends ended before prices did).
        assertTrue(events.indexOf("start dividends") < events.indexOf("end prices"), events.toString());
        assertEquals(2, most.get());
    }

    @Test
    void shouldNeverRunMoreStepsAtOnceThanItHasLanes() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        StepGraph graph = new StepGraph(2);
        for (int i = 0; i < 6; i++) {
            String name = "independent " + i;
            graph.add(name, List.of(), () -> timed(name, 30, events, running, most));
        }
        graph.run().await().atMost(WAIT);

        assertEquals(12, events.size());
        assertEquals(2, most.get());
    }

    @Test
    void shouldRunOneStepAtATimeWithOneLane() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        new StepGraph(1)
                .add("a", List.of(), () -> timed("a", 10, events, running, most))
                .add("b", List.of(), () -> timed("b", 10, events, running, most))
                .add("c", List.of("a"), () -> timed("c", 10, events, running, most))
                .run().await().atMost(WAIT);

        assertEquals(List.of("start a", "end a", "start b", "end b", "start c", "end c"), events);
    }

    @Test
    void shouldStartTheWaitingStepWithTheLongestPathToTheEndFirst() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        // Paths: sync summary 30; summary 40 + 30 = 70; treemap 200 + sync treemap 50 = 250; first 1 + 250 (treemap
        // runs after it) = 251. With one lane: first, then treemap (250) before summary (70); once treemap ends its
        // sync (50) is ready beside summary (70): summary, then its sync (30) and the treemap's sync (50): treemap's.
        new StepGraph(1, Map.of("summary", 40L, "sync summary", 30L, "treemap", 200L, "sync treemap", 50L))
                .add("first", List.of(), () -> timed("first", 5, events, running, most))
                .add("summary", List.of("first"), () -> timed("summary", 5, events, running, most))
                .add("treemap", List.of("first"), () -> timed("treemap", 5, events, running, most))
                .add("sync summary", List.of("summary"), () -> timed("sync summary", 5, events, running, most))
                .add("sync treemap", List.of("treemap"), () -> timed("sync treemap", 5, events, running, most))
                .run().await().atMost(WAIT);

        assertEquals(List.of("first", "treemap", "summary", "sync treemap", "sync summary"),
                events.stream().filter(e -> e.startsWith("start ")).map(e -> e.substring(6)).toList());
    }

    @Test
    void shouldFailWithTheFirstFailureAfterRunningStepsEndAndStartNothingNew() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        IllegalStateException broken = new IllegalStateException("price_stats failed");
        StepGraph graph = new StepGraph(2)
                .add("slow", List.of(), () -> timed("slow", 100, events, running, most))
                .add("failing", List.of(), () -> Uni.createFrom().failure(broken))
                .add("after failing", List.of("failing"), () -> timed("after failing", 1, events, running, most))
                .add("independent, queued", List.of(), () -> timed("independent, queued", 1, events, running, most));

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> graph.run().await().atMost(WAIT));

        assertEquals("price_stats failed", thrown.getMessage());
        // The step already running finished before the run failed; the others never started.
        assertEquals(List.of("start slow", "end slow"), events);
    }

    @Test
    void shouldRefuseAStepReadingOneNotAddedBeforeIt() {
        StepGraph graph = new StepGraph(2);

        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> graph.add("period_returns", List.of("price_stats"), () -> Uni.createFrom().voidItem()));

        assertTrue(thrown.getMessage().contains("price_stats"), thrown.getMessage());
    }

    @Test
    void shouldHaveANewDayEstimateForEveryStepARefreshRuns() {
        List<String> steps = new ArrayList<>();
        MartCatalog.INTERMEDIATE.forEach(view -> steps.add("intermediate." + view));
        MartCatalog.MARTS.forEach(mart -> {
            steps.add(mart.name());
            steps.add("sync " + mart.name());
        });

        assertEquals(Set.copyOf(steps), MartCatalog.NEW_DAY_MS.keySet());
    }

    @Test
    void shouldRefuseFewerThanOneLane() {
        assertThrows(IllegalArgumentException.class, () -> new StepGraph(0));
    }
}
