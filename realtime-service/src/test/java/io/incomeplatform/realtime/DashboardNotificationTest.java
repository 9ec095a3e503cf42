package io.incomeplatform.realtime;

import io.incomeplatform.realtime.support.Fixtures;
import io.incomeplatform.realtime.support.PriceClient;
import io.incomeplatform.realtime.support.RedisFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class DashboardNotificationTest {

    @TestHTTPResource("/ws/v1/prices")
    URI http;

    @Inject
    RedisFixtures redis;

    @AfterEach
    void cleanUp() {
        redis.cleanUp();
    }

    PriceClient connect(String userId) {
        PriceClient client = PriceClient.connectWithQueryToken(Fixtures.webSocketUri(http), Fixtures.token(userId));
        client.roundTrip();
        return client;
    }

    @Test
    void shouldTellOnlyTheUsersWhoseMartsWereRefreshed() throws InterruptedException {
        String concerned = Fixtures.newUserId();
        String bystander = Fixtures.newUserId();
        try (PriceClient first = connect(concerned); PriceClient second = connect(concerned); PriceClient other = connect(bystander)) {
            redis.publish("income:marts-refreshed", "{\"marts\":[\"portfolio_performance\"],\"userIds\":[\"" + concerned
                    + "\"],\"symbols\":null,\"asOf\":\"2026-11-20\",\"syncedAt\":\"2026-11-21T06:00:00Z\"}");
            await().atMost(Duration.ofSeconds(5)).until(() -> first.ofType("dashboard-updated").size() == 1
                    && second.ofType("dashboard-updated").size() == 1);
            Thread.sleep(500);
            other.roundTrip();
            assertEquals(0, other.ofType("dashboard-updated").size());
        }
    }

    @Test
    void shouldTellOnlyTheOwnerWhenAPortfolioChanges() throws InterruptedException {
        String owner = Fixtures.newUserId();
        String bystander = Fixtures.newUserId();
        try (PriceClient ownerClient = connect(owner); PriceClient other = connect(bystander)) {
            redis.publish("income:portfolio-changed", "{\"userId\":\"" + owner + "\",\"portfolioId\":\""
                    + Fixtures.newUserId() + "\",\"symbols\":[]}");
            await().atMost(Duration.ofSeconds(5)).until(() -> ownerClient.ofType("dashboard-updated").size() == 1);
            Thread.sleep(500);
            other.roundTrip();
            assertEquals(0, other.ofType("dashboard-updated").size());
        }
    }

    @Test
    void shouldTellHoldersWhenMarketMartsOfTheirSymbolsChange() throws InterruptedException {
        String holder = Fixtures.newUserId();
        String watcher = Fixtures.newUserId();
        String symbol = Fixtures.uniqueSymbol();
        redis.holdings(holder, symbol);
        try (PriceClient holderClient = connect(holder); PriceClient watcherClient = connect(watcher)) {
            // the watcher follows the price but does not hold it: its dashboard does not change
            watcherClient.send("{\"type\":\"subscribe\",\"symbols\":[\"" + symbol + "\"]}");
            watcherClient.roundTrip();
            redis.publish("income:marts-refreshed", "{\"marts\":[\"dividend_calendar\"],\"userIds\":null,\"symbols\":[\""
                    + symbol + "\"],\"asOf\":\"2026-11-20\",\"syncedAt\":\"2026-11-21T06:00:00Z\"}");
            await().atMost(Duration.ofSeconds(5)).until(() -> holderClient.ofType("dashboard-updated").size() == 1);
            Thread.sleep(500);
            watcherClient.roundTrip();
            assertEquals(0, watcherClient.ofType("dashboard-updated").size());
        }
    }
}
