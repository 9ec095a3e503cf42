package io.incomeplatform.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.incomeplatform.realtime.support.Fixtures;
import io.incomeplatform.realtime.support.PriceClient;
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

import static io.incomeplatform.realtime.PriceSubscriptionTest.assertPrice;
import static io.incomeplatform.realtime.support.Fixtures.tick;
import static io.incomeplatform.realtime.support.Fixtures.ticksMessage;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class PriceBatchingTest {

    @TestHTTPResource("/ws/v1/prices")
    URI http;

    @Inject
    RedisFixtures redis;

    @Test
    void shouldCoalesceOneHundredTicksOfASymbolInAWindowIntoOneUpdateWithTheLatestPrice() throws InterruptedException {
        String symbol = Fixtures.uniqueSymbol();
        try (PriceClient client = PriceClient.connectWithQueryToken(Fixtures.webSocketUri(http), Fixtures.token(Fixtures.newUserId()))) {
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"" + symbol + "\"]}");
            client.roundTrip();

            // A marker tick: once it arrives this connection's window has just ended, so the next
            // 100 ticks (100 messages delivered back to back) fall into its next window.
            redis.publish("income:ticks", ticksMessage(tick(symbol, "0.50", Instant.now())));
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(symbol).size() == 1);

            Instant base = Instant.now();
            List<String> messages = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                // prices 1.25, 2.25, ..., 100.25; the last one is the latest by ts and by arrival
                messages.add(ticksMessage(tick(symbol, i + ".25", base.plusMillis(i))));
            }
            redis.publishAtOnce("income:ticks", messages);
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(symbol).size() >= 2);
            Thread.sleep(1200); // two more windows: nothing else of those 100 ticks may follow

            List<JsonNode> updates = client.updatesOf(symbol);
            assertEquals(2, updates.size(), updates.toString());
            assertPrice("100.25", updates.get(1));
            assertEquals(base.plusMillis(100).toString(), updates.get(1).path("ts").asText());
        }
    }

    @Test
    void shouldSendAtMostOnePricesMessagePerWindowWhileASymbolTicksContinuously() throws InterruptedException {
        String symbol = Fixtures.uniqueSymbol();
        try (PriceClient client = PriceClient.connectWithQueryToken(Fixtures.webSocketUri(http), Fixtures.token(Fixtures.newUserId()))) {
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"" + symbol + "\"]}");
            client.roundTrip();
            long start = System.nanoTime();
            for (int i = 1; i <= 40; i++) {
                redis.publish("income:ticks", ticksMessage(tick(symbol, i + ".00", Instant.now())));
                Thread.sleep(50);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                List<JsonNode> updates = client.updatesOf(symbol);
                return !updates.isEmpty() && updates.get(updates.size() - 1).path("price").asDouble() == 40.0;
            });
            long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            // 40 ticks over at least 2 s with a 500 ms window: at most one message per started window
            long maxMessages = elapsedMillis / 500 + 1;
            int messages = client.ofType("prices").size();
            assertTrue(messages >= 2 && messages <= maxMessages, messages + " messages in " + elapsedMillis + " ms");
        }
    }

    @Test
    void shouldNumberPricesMessagesOneByOnePerConnection() {
        String first = Fixtures.uniqueSymbol();
        String second = Fixtures.uniqueSymbol();
        try (PriceClient client = PriceClient.connectWithQueryToken(Fixtures.webSocketUri(http), Fixtures.token(Fixtures.newUserId()))) {
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"" + first + "\",\"" + second + "\"]}");
            client.roundTrip();
            for (int round = 0; round < 3; round++) {
                int before = client.ofType("prices").size();
                redis.publish("income:ticks", ticksMessage(tick(first, "1.0" + round, Instant.now()),
                        tick(second, "2.0" + round, Instant.now())));
                await().atMost(Duration.ofSeconds(5)).until(() -> client.ofType("prices").size() > before);
            }
            List<JsonNode> prices = client.ofType("prices");
            for (int i = 0; i < prices.size(); i++) {
                assertEquals(i + 1, prices.get(i).path("seq").asLong());
            }
            // both symbols ticked together each round: one message carries both updates
            assertTrue(prices.stream().allMatch(message -> message.path("updates").size() == 2), prices.toString());
        }
    }
}
