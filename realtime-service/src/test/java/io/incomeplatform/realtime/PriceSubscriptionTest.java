package io.incomeplatform.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.incomeplatform.realtime.support.Fixtures;
import io.incomeplatform.realtime.support.PriceClient;
import io.incomeplatform.realtime.support.RedisFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.incomeplatform.realtime.support.Fixtures.tick;
import static io.incomeplatform.realtime.support.Fixtures.ticksMessage;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class PriceSubscriptionTest {

    static final String TICKS = "income:ticks";

    @TestHTTPResource("/ws/v1/prices")
    URI http;

    @Inject
    RedisFixtures redis;

    @AfterEach
    void cleanUp() {
        redis.cleanUp();
    }

    PriceClient connect(String userId) {
        return PriceClient.connectWithSubprotocol(Fixtures.webSocketUri(http), Fixtures.token(userId));
    }

    @Test
    void shouldSubscribeHoldingsOnConnectAndSendTheirLatestPriceAtOnce() {
        String userId = Fixtures.newUserId();
        String held = Fixtures.uniqueSymbol();
        redis.holdings(userId, held);
        redis.latestPrice(held, tick(held, "41.25", Instant.parse("2026-11-20T15:00:00Z")));

        try (PriceClient client = connect(userId)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(held).size() == 1);
            JsonNode snapshot = client.updatesOf(held).get(0);
            assertPrice("41.25", snapshot);
            assertEquals("2026-11-20T15:00:00Z", snapshot.path("ts").asText());
            assertEquals(1, client.ofType("prices").get(0).path("seq").asLong());

            redis.publish(TICKS, ticksMessage(tick(held, "42.00", Instant.now())));
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(held).size() == 2);
            assertPrice("42.00", client.updatesOf(held).get(1));
            assertEquals(2, client.ofType("prices").get(1).path("seq").asLong());
        }
    }

    @Test
    void shouldCarryTheContractFieldsOfATick() {
        String userId = Fixtures.newUserId();
        String symbol = Fixtures.uniqueSymbol();
        try (PriceClient client = connect(userId)) {
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"" + symbol + "\"]}");
            client.roundTrip();
            redis.publish(TICKS, ticksMessage(tick(symbol, "10.10", Instant.parse("2026-11-20T15:30:00Z"))));
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(symbol).size() == 1);
            JsonNode update = client.updatesOf(symbol).get(0);
            assertEquals(symbol, update.path("symbol").asText());
            assertPrice("10.10", update);
            assertEquals(0, new BigDecimal("1.5").compareTo(update.path("change").decimalValue()));
            assertEquals(0, new BigDecimal("0.015").compareTo(update.path("changeRatio").decimalValue()));
            assertEquals(1200, update.path("volume").asLong());
            assertEquals("2026-11-20T15:30:00Z", update.path("ts").asText());
            assertEquals("test", update.path("source").asText());
            assertTrue(update.path("previousClose").isMissingNode(), "previousClose is not part of the client contract");
        }
    }

    @Test
    void shouldSendLatestKnownPriceRightAfterSubscribe() {
        String symbol = Fixtures.uniqueSymbol();
        redis.latestPrice(symbol, tick(symbol, "250.5", Instant.parse("2026-11-20T20:59:59Z")));
        try (PriceClient client = connect(Fixtures.newUserId())) {
            long start = System.nanoTime();
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"" + symbol.toLowerCase() + "\"]}");
            await().atMost(Duration.ofSeconds(2)).until(() -> client.updatesOf(symbol).size() == 1);
            // "at once": well before the 500 ms test batch window would have passed twice
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 1000);
            assertPrice("250.5", client.updatesOf(symbol).get(0));
        }
    }

    @Test
    void shouldStopDeliveringAnUnsubscribedSymbol() throws InterruptedException {
        String kept = Fixtures.uniqueSymbol();
        String dropped = Fixtures.uniqueSymbol();
        try (PriceClient client = connect(Fixtures.newUserId())) {
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"" + kept + "\",\"" + dropped + "\"]}");
            client.send("{\"type\":\"unsubscribe\",\"symbols\":[\"" + dropped + "\"]}");
            client.roundTrip();

            redis.publish(TICKS, ticksMessage(tick(dropped, "1.00", Instant.now()), tick(kept, "2.00", Instant.now())));
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(kept).size() == 1);
            // one more window for a stray update of the dropped symbol to show up
            Thread.sleep(700);
            assertEquals(List.of(), client.updatesOf(dropped));
        }
    }

    @Test
    void shouldNeverDeliverASymbolNobodySubscribed() throws InterruptedException {
        String watched = Fixtures.uniqueSymbol();
        String other = Fixtures.uniqueSymbol();
        try (PriceClient client = connect(Fixtures.newUserId())) {
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"" + watched + "\"]}");
            client.roundTrip();
            redis.publish(TICKS, ticksMessage(tick(other, "3.00", Instant.now())));
            redis.publish(TICKS, ticksMessage(tick(watched, "4.00", Instant.now())));
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(watched).size() == 1);
            Thread.sleep(700);
            assertEquals(List.of(), client.updatesOf(other));
        }
    }

    @Test
    void shouldAnswerBadMessagesWithAnErrorAndKeepTheConnectionOpen() {
        try (PriceClient client = connect(Fixtures.newUserId())) {
            client.send("not json");
            client.send("[1,2]");
            client.send("{\"type\":\"dance\"}");
            client.send("{\"type\":\"subscribe\"}");
            client.send("{\"type\":\"subscribe\",\"symbols\":[]}");
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"AAPL\",\"DROP TABLE\"]}");
            client.send("{\"type\":\"subscribe\",\"symbols\":[42]}");
            client.send("{\"type\":\"unsubscribe\",\"symbols\":\"AAPL\"}");
            client.roundTrip();

            List<JsonNode> errors = client.ofType("error");
            assertEquals(8, errors.size());
            errors.forEach(error -> assertTrue(error.path("detail").asText().length() > 10, error.toString()));
            assertTrue(errors.get(2).path("detail").asText().contains("dance"));
            assertTrue(errors.get(5).path("detail").asText().contains("DROP TABLE"));
            assertFalse(client.webSocket().isInputClosed());
        }
    }

    @Test
    void shouldRefuseToGoBeyondTheSubscriptionCapAndChangeNothing() throws InterruptedException {
        // %test cap: 50 watched symbols per connection; 45 first, then 10 more would make 55
        try (PriceClient client = connect(Fixtures.newUserId())) {
            client.send(subscribeMessage(45));
            List<String> extra = symbols(10);
            client.send(subscribeMessage(extra));
            client.roundTrip();
            List<JsonNode> errors = client.ofType("error");
            assertEquals(1, errors.size());
            assertTrue(errors.get(0).path("detail").asText().contains("50"));

            redis.publish(TICKS, ticksMessage(tick(extra.get(0), "5.00", Instant.now())));
            Thread.sleep(1200);
            assertEquals(List.of(), client.updatesOf(extra.get(0)));
        }
    }

    @Test
    void shouldFollowHoldingsWhenThePortfolioChanges() {
        String userId = Fixtures.newUserId();
        String sold = Fixtures.uniqueSymbol();
        String bought = Fixtures.uniqueSymbol();
        redis.holdings(userId, sold);
        redis.latestPrice(bought, tick(bought, "77.70", Instant.parse("2026-11-20T16:00:00Z")));
        try (PriceClient client = connect(userId)) {
            client.roundTrip();
            redis.publish("income:portfolio-changed",
                    "{\"userId\":\"" + userId + "\",\"portfolioId\":\"" + Fixtures.newUserId() + "\",\"symbols\":[\"" + bought + "\"]}");
            // the newly held symbol's latest price comes at once, with the notification
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(bought).size() == 1
                    && client.ofType("dashboard-updated").size() == 1);
            assertPrice("77.70", client.updatesOf(bought).get(0));

            redis.publish(TICKS, ticksMessage(tick(sold, "1.00", Instant.now()), tick(bought, "78.00", Instant.now())));
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(bought).size() == 2);
            assertEquals(List.of(), client.updatesOf(sold));
        }
    }

    /** Prices are JSON numbers: compared by value, 42.00 == 42. */
    static void assertPrice(String expected, JsonNode update) {
        assertEquals(0, new BigDecimal(expected).compareTo(update.path("price").decimalValue()),
                "price " + update.path("price") + " instead of " + expected);
    }

    private static List<String> symbols(int count) {
        return java.util.stream.Stream.generate(Fixtures::uniqueSymbol).limit(count).toList();
    }

    private static String subscribeMessage(int count) {
        return subscribeMessage(symbols(count));
    }

    private static String subscribeMessage(List<String> symbols) {
        return "{\"type\":\"subscribe\",\"symbols\":[\"" + String.join("\",\"", symbols) + "\"]}";
    }
}
