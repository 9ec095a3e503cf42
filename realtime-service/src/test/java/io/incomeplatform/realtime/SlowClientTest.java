package io.incomeplatform.realtime;

import io.incomeplatform.realtime.service.SubscriptionRegistry;
import io.incomeplatform.realtime.support.Fixtures;
import io.incomeplatform.realtime.support.PriceClient;
import io.incomeplatform.realtime.support.RawWebSocket;
import io.incomeplatform.realtime.support.RedisFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.incomeplatform.realtime.support.Fixtures.tick;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class SlowClientTest {

    @TestHTTPResource("/ws/v1/prices")
    URI http;

    @Inject
    RedisFixtures redis;

    @Inject
    SubscriptionRegistry registry;

    @Test
    void shouldDisconnectAClientThatStopsReadingWhileAnotherKeepsReceiving() throws Exception {
        URI ws = Fixtures.webSocketUri(http);
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            symbols.add(Fixtures.uniqueSymbol());
        }
        String subscribe = "{\"type\":\"subscribe\",\"symbols\":[\"" + String.join("\",\"", symbols) + "\"]}";
        String stalledUser = Fixtures.newUserId();
        String healthyUser = Fixtures.newUserId();

        ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
        try (RawWebSocket stalled = RawWebSocket.open(ws, Fixtures.token(stalledUser));
             PriceClient healthy = PriceClient.connectWithQueryToken(ws, Fixtures.token(healthyUser))) {
            stalled.sendText(subscribe);
            healthy.send(subscribe);
            healthy.roundTrip();
            await().atMost(Duration.ofSeconds(5)).until(() -> !registry.sessionsOf(stalledUser).isEmpty());

            // 50 symbols ticking every 100 ms: a ~7 KB prices message per 500 ms window for each client,
            // far more than the stalled client's 4 KB receive buffer and the server's 8 KB send buffer.
            AtomicInteger round = new AtomicInteger();
            publisher.scheduleAtFixedRate(() -> {
                int r = round.incrementAndGet();
                List<String> ticks = symbols.stream().map(s -> tick(s, r + ".5", Instant.now())).toList();
                redis.publish("income:ticks", Fixtures.ticksMessage(ticks.toArray(String[]::new)));
            }, 0, 100, TimeUnit.MILLISECONDS);

            // %test slow-client timeout is 2 s; buffers fill within a few windows
            await().atMost(Duration.ofSeconds(20)).until(() -> registry.sessionsOf(stalledUser).isEmpty());
            assertTrue(stalled.drainUntilServerCloses(5000), "the server closes the stalled client's TCP connection");

            int receivedAtDisconnect = healthy.ofType("prices").size();
            await().atMost(Duration.ofSeconds(3)).until(() -> healthy.ofType("prices").size() >= receivedAtDisconnect + 3);
            assertEquals(1, registry.sessionsOf(healthyUser).size());
            // every window the healthy client got a message: seq has no gaps
            List<Long> seqs = healthy.ofType("prices").stream().map(m -> m.path("seq").asLong()).toList();
            for (int i = 0; i < seqs.size(); i++) {
                assertEquals(i + 1, seqs.get(i));
            }
        } finally {
            publisher.shutdownNow();
        }
    }

    @Test
    void shouldDisconnectAClientThatSendsPingsButNeverReadsThePongs() throws Exception {
        String user = Fixtures.newUserId();
        try (RawWebSocket flooding = RawWebSocket.open(Fixtures.webSocketUri(http), Fixtures.token(user))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !registry.sessionsOf(user).isEmpty());
            // 20,000 pongs of 15 bytes (+2 of frame header) = 340 KB, far more than the client's
            // 4 KB receive buffer and the server's 8 KB send buffer can hold
            for (int i = 0; i < 20_000; i++) {
                flooding.sendText("{\"type\":\"ping\"}");
            }
            // %test slow-client timeout is 2 s: without progress the server gives up on it
            await().atMost(Duration.ofSeconds(20)).until(() -> registry.sessionsOf(user).isEmpty());
            assertTrue(flooding.drainUntilServerCloses(5000), "the server closes the flooding client's TCP connection");
        }
    }
}
