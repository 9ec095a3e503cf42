package io.incomeplatform.dashboard.service;

import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedBuildsTest {

    private final SharedBuilds<String, String> builds = new SharedBuilds<>(Duration.ofSeconds(30));
    private final AtomicInteger started = new AtomicInteger();
    private final List<UniEmitter<? super String>> emitters = new ArrayList<>();
    private final ExecutorService completer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopCompleter() {
        completer.shutdownNow();
    }

    /** A build that ends when the test completes its emitter. */
    private Uni<String> controlledBuild() {
        started.incrementAndGet();
        return Uni.createFrom().emitter(emitters::add);
    }

    private static AtomicReference<Object> outcome(Uni<String> uni) {
        AtomicReference<Object> outcome = new AtomicReference<>();
        uni.subscribe().with(outcome::set, outcome::set);
        return outcome;
    }

    @Test
    void shouldShareOneBuildAmongCallersThatAskWhileItRuns() {
        AtomicReference<Object> first = outcome(builds.join("user:all", this::controlledBuild));
        AtomicReference<Object> second = outcome(builds.join("user:all", this::controlledBuild));
        assertEquals(1, started.get());

        emitters.get(0).complete("dashboard");

        assertEquals("dashboard", first.get());
        assertEquals("dashboard", second.get());
        assertEquals(0, builds.running());
    }

    @Test
    void shouldStartANewBuildOnceTheLastOneHasEnded() {
        outcome(builds.join("user:all", this::controlledBuild));
        emitters.get(0).complete("old");

        AtomicReference<Object> next = outcome(builds.join("user:all", this::controlledBuild));
        emitters.get(1).complete("new");

        assertEquals(2, started.get());
        assertEquals("new", next.get());
    }

    @Test
    void shouldKeepTheBuildRunningWhenACallerStopsWaiting() {
        AtomicReference<Object> impatient = outcome(builds.join("user:all", this::controlledBuild)
                .ifNoItem().after(Duration.ofMillis(20)).fail());
        AtomicReference<Object> patient = outcome(builds.join("user:all", this::controlledBuild));
        await().atMost(Duration.ofSeconds(5)).until(() -> impatient.get() != null);
        assertInstanceOf(TimeoutException.class, impatient.get());

        emitters.get(0).complete("dashboard");

        assertEquals("dashboard", patient.get());
        assertEquals(1, started.get());
    }

    @Test
    void shouldAbandonABuildThatOutlivesTheDeadlineSoThatTheNextCallerStartsANewOne() {
        SharedBuilds<String, String> withDeadline = new SharedBuilds<>(Duration.ofMillis(100));
        // A build that never ends, as a query on a connection that went dead.
        AtomicReference<Object> stuck = outcome(withDeadline.join("user:all", this::controlledBuild));
        await().atMost(Duration.ofSeconds(5)).until(() -> stuck.get() != null);
        assertInstanceOf(TimeoutException.class, stuck.get());
        assertEquals(0, withDeadline.running());

        AtomicReference<Object> next = outcome(withDeadline.join("user:all", this::controlledBuild));
        emitters.get(1).complete("dashboard");
        assertEquals(2, started.get());
        assertEquals("dashboard", next.get());
    }

    @Test
    void shouldGiveEveryCallerTheBuildsOwnFailureAndForgetTheBuild() {
        AtomicReference<Object> first = outcome(builds.join("user:all", this::controlledBuild));
        AtomicReference<Object> second = outcome(builds.join("user:all", this::controlledBuild));

        emitters.get(0).fail(new IllegalStateException("database down"));

        // The failure itself, not a CompletionException around it.
        assertInstanceOf(IllegalStateException.class, first.get());
        assertEquals("database down", ((Throwable) second.get()).getMessage());
        assertEquals(0, builds.running());
    }

    @Test
    void shouldTurnAnExceptionThrownWhileStartingIntoAFailure() {
        AtomicReference<Object> outcome = outcome(builds.join("user:all", () -> {
            throw new IllegalArgumentException("no such portfolio");
        }));
        assertInstanceOf(IllegalArgumentException.class, outcome.get());
        assertEquals(0, builds.running());
    }

    @Test
    void shouldKeepBuildsOfDifferentKeysApart() {
        AtomicReference<Object> all = outcome(builds.join("user:all", this::controlledBuild));
        AtomicReference<Object> one = outcome(builds.join("user:portfolio", this::controlledBuild));
        emitters.get(1).complete("portfolio");
        emitters.get(0).complete("all");
        assertEquals("all", all.get());
        assertEquals("portfolio", one.get());
    }

    @Test
    void shouldSignalTheSubscriptionBeforeTheResultWhenAnotherThreadEndsTheBuildMeanwhile() throws Exception {
        // A caller joins inside a chain() while another thread ends the build; its subscription takes a while
        // (as DashboardService's does: a timeout's timer is scheduled). Were the result delivered before that
        // subscription reached chain(), chain() would take it for its own input: a ClassCastException.
        for (int i = 0; i < 2_000; i++) {
            SharedBuilds<String, String> shared = new SharedBuilds<>(Duration.ofSeconds(30));
            List<UniEmitter<? super String>> emitter = new ArrayList<>();
            outcome(shared.join("user:all", () -> Uni.createFrom().emitter(emitter::add)));
            CyclicBarrier bothReady = new CyclicBarrier(2);
            Future<?> ending = completer.submit(() -> {
                bothReady.await();
                emitter.get(0).complete("built");
                return null;
            });
            bothReady.await();
            AtomicReference<Object> joined = new AtomicReference<>();
            Uni.createFrom().item(i).chain((Integer attempt) -> shared.join("user:all", () -> Uni.createFrom().item("built again"))
                            .ifNoItem().after(Duration.ofSeconds(5)).fail()
                            .onSubscription().invoke(() -> spin(Duration.ofNanos(20_000))))
                    .subscribe().with(joined::set, joined::set);
            ending.get();
            // Both ways end on one of the two threads before ending.get() returns.
            Object result = joined.get();
            int attempt = i;
            assertTrue("built".equals(result) || "built again".equals(result), () -> "attempt " + attempt + ": " + result);
        }
    }

    private static void spin(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
