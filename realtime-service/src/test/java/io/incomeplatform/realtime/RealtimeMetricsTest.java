package io.incomeplatform.realtime;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.incomeplatform.realtime.support.Fixtures.tick;
import static io.incomeplatform.realtime.support.Fixtures.ticksMessage;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class RealtimeMetricsTest {

    @TestHTTPResource("/ws/v1/prices")
    URI http;

    @Inject
    RedisFixtures redis;

    @Test
    void shouldBeReadyOnlyWithTheTickFeedSubscribed() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("redis-tick-feed"))
                .body("checks.find { it.name == 'redis-tick-feed' }.status", org.hamcrest.Matchers.equalTo("UP"));
    }

    @Test
    void shouldCountConnectionsSubscriptionsMessagesBytesBatchesAndLag() {
        String symbol = Fixtures.uniqueSymbol();
        double messagesBefore = metric("realtime_messages_sent_total\\{type=\"prices\"\\}");
        double bytesBefore = metric("realtime_sent_bytes_total");
        double lagSamplesBefore = metric("realtime_delivery_lag_seconds_count");
        try (PriceClient client = PriceClient.connectWithQueryToken(Fixtures.webSocketUri(http), Fixtures.token(Fixtures.newUserId()))) {
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"" + symbol + "\"]}");
            client.roundTrip();
            assertTrue(metric("realtime_connections_open") >= 1);
            assertTrue(metric("realtime_subscriptions") >= 1);

            redis.publish("income:ticks", ticksMessage(tick(symbol, "9.99", Instant.now())));
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(symbol).size() == 1);
            await().atMost(Duration.ofSeconds(2)).until(() -> metric("realtime_delivery_lag_seconds_count") > lagSamplesBefore);
            assertTrue(metric("realtime_messages_sent_total\\{type=\"prices\"\\}") > messagesBefore);
            // at least the one prices message: its JSON is longer than 100 characters
            assertTrue(metric("realtime_sent_bytes_total") - bytesBefore > 100);
            assertTrue(metric("realtime_batch_updates_count") >= 1);
        }
    }

    @Test
    void shouldLeaveLatestKnownPricesSentOnSubscribeOutOfTheDeliveryLag() {
        String symbol = Fixtures.uniqueSymbol();
        // the last close, days before "now": counted as lag it would put p99 at days
        redis.latestPrice(symbol, tick(symbol, "12.34", Instant.parse("2026-11-20T20:59:59Z")));
        double lagSamplesBefore = metric("realtime_delivery_lag_seconds_count");
        try (PriceClient client = PriceClient.connectWithQueryToken(Fixtures.webSocketUri(http), Fixtures.token(Fixtures.newUserId()))) {
            client.send("{\"type\":\"subscribe\",\"symbols\":[\"" + symbol + "\"]}");
            await().atMost(Duration.ofSeconds(5)).until(() -> client.updatesOf(symbol).size() == 1);
            client.roundTrip();
            assertEquals(lagSamplesBefore, metric("realtime_delivery_lag_seconds_count"));
        }
    }

    /** The value of one Prometheus sample line, 0 when absent. */
    private static double metric(String nameAndLabels) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher matcher = Pattern.compile("(?m)^" + nameAndLabels + " ([0-9.eE+-]+)$").matcher(body);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
