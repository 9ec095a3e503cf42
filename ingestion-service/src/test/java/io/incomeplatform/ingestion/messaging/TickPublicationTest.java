package io.incomeplatform.ingestion.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.incomeplatform.ingestion.TestSupport.operatorToken;
import static io.incomeplatform.ingestion.TestSupport.uniqueSymbol;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class TickPublicationTest {

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    ObjectMapper mapper;

    private final List<JsonNode> ticks = new CopyOnWriteArrayList<>();
    private final List<JsonNode> rawChanged = new CopyOnWriteArrayList<>();

    private void post(String endpoint, String body) {
        given().auth().oauth2(operatorToken()).contentType(ContentType.JSON).body(body).post("/api/v1/" + endpoint)
                .then().statusCode(200).body("rejected.size()", equalTo(0));
    }

    private ReactivePubSubCommands.ReactiveRedisSubscriber listen(String symbol) {
        return redis.pubsub(String.class).subscribe(List.of(RedisPublisher.TICKS_CHANNEL,
                        RedisPublisher.RAW_CHANGED_CHANNEL), message -> {
                    if (!message.contains("\"" + symbol + "\"")) {
                        return;
                    }
                    JsonNode node = read(message);
                    if (node.has("ticks")) {
                        node.get("ticks").forEach(tick -> {
                            if (tick.get("symbol").asText().equals(symbol)) {
                                ticks.add(tick);
                            }
                        });
                    } else {
                        rawChanged.add(node);
                    }
                })
                .await().atMost(Duration.ofSeconds(5));
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldPublishAcceptedTicksWithPreviousCloseAndKeepTheNewestAsLatest() {
        String symbol = uniqueSymbol();
        var subscriber = listen(symbol);
        try {
            // Close of 2026-11-18 from a bar: 100. 2026-11-19 has only ticks, the last at 20:59Z (15:59 New York): 104.
            post("bars", """
                    [{"symbol":"%s","date":"2026-11-18","open":99,"high":101,"low":98,"close":100,"volume":10}]"""
                    .formatted(symbol));
            post("ticks", """
                    [{"symbol":"%1$s","ts":"2026-11-19T15:00:00Z","price":102},
                     {"symbol":"%1$s","ts":"2026-11-19T20:59:00Z","price":104}]""".formatted(symbol));
            // The 2026-11-20 tick's previous close is 2026-11-19's last tick, 104 (later than the 11-18 bar):
            // change = 105.05 - 104 = 1.05, changeRatio = 1.05 / 104 = 0.010096153846... -> 0.0100961538.
            post("ticks", """
                    [{"symbol":"%s","ts":"2026-11-20T15:00:00Z","price":105.05,"volume":700,"source":"feed"}]"""
                    .formatted(symbol));

            await().atMost(Duration.ofSeconds(5)).until(() -> ticks.size() == 3);
            JsonNode last = ticks.stream().filter(t -> t.get("ts").asText().equals("2026-11-20T15:00:00.000Z"))
                    .findFirst().orElseThrow();
            assertEquals("105.05", last.get("price").asText());
            assertEquals("104", last.get("previousClose").asText());
            assertEquals("1.05", last.get("change").asText());
            assertEquals("0.0100961538", last.get("changeRatio").decimalValue().toPlainString());
            assertEquals(700, last.get("volume").asLong());
            assertEquals("feed", last.get("source").asText());
            // The 11-19 ticks' previous close is the 11-18 bar: 102 - 100 = 2.
            JsonNode first = ticks.stream().filter(t -> t.get("ts").asText().equals("2026-11-19T15:00:00.000Z"))
                    .findFirst().orElseThrow();
            assertEquals("100", first.get("previousClose").asText());
            assertEquals("2", first.get("change").asText());

            // An older tick arriving late is published but does not replace the latest price.
            post("ticks", """
                    [{"symbol":"%s","ts":"2026-11-20T14:00:00Z","price":99}]""".formatted(symbol));
            await().atMost(Duration.ofSeconds(5)).until(() -> ticks.size() == 4);
            String latest = redis.hash(String.class).hget(RedisPublisher.LATEST_PRICES_KEY, symbol)
                    .await().atMost(Duration.ofSeconds(5));
            assertEquals("105.05", read(latest).get("price").asText());

            await().atMost(Duration.ofSeconds(5)).until(() -> rawChanged.size() == 4);
            JsonNode barsChanged = rawChanged.stream().filter(e -> e.get("dataType").asText().equals("bars"))
                    .findFirst().orElseThrow();
            assertEquals(symbol, barsChanged.get("symbols").get(0).asText());
            assertEquals("2026-11-18", barsChanged.get("from").asText());
            assertEquals("2026-11-18", barsChanged.get("to").asText());
            assertEquals(1, barsChanged.get("rows").asInt());
            assertTrue(rawChanged.stream().anyMatch(e -> e.get("dataType").asText().equals("ticks")
                    && e.get("from").asText().equals("2026-11-19") && e.get("rows").asInt() == 2));
        } finally {
            subscriber.unsubscribe().await().atMost(Duration.ofSeconds(5));
            redis.hash(String.class).hdel(RedisPublisher.LATEST_PRICES_KEY, symbol).await().atMost(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldNotPublishDuplicates() {
        String symbol = uniqueSymbol();
        var subscriber = listen(symbol);
        try {
            String body = """
                    [{"symbol":"%s","ts":"2026-11-20T16:00:00Z","price":10}]""".formatted(symbol);
            post("ticks", body);
            await().atMost(Duration.ofSeconds(5)).until(() -> ticks.size() == 1 && rawChanged.size() == 1);
            post("ticks", body);
            // A second, different tick proves the first resend was processed without publishing.
            post("ticks", """
                    [{"symbol":"%s","ts":"2026-11-20T16:00:01Z","price":11}]""".formatted(symbol));
            await().atMost(Duration.ofSeconds(5)).until(() -> rawChanged.size() == 2);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> ticks.size() == 2);
            assertEquals("2026-11-20T16:00:01.000Z", ticks.get(1).get("ts").asText());
        } finally {
            subscriber.unsubscribe().await().atMost(Duration.ofSeconds(5));
            redis.hash(String.class).hdel(RedisPublisher.LATEST_PRICES_KEY, symbol).await().atMost(Duration.ofSeconds(5));
        }
    }
}
