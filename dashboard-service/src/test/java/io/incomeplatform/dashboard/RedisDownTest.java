package io.incomeplatform.dashboard;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Redis unreachable: the API still answers from the database, and the limiter fails open (counted). */
@QuarkusTest
@TestProfile(RedisDownTest.NoRedis.class)
class RedisDownTest {

    public static class NoRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            int closedPort;
            try (ServerSocket probe = new ServerSocket(0)) {
                closedPort = probe.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + closedPort, "quarkus.redis.timeout", "1s");
        }
    }

    @Test
    void shouldServeLedgerAndDashboardFromTheDatabaseAndCountTheLimiterFailures() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        String symbol = TestSupport.uniqueSymbol();
        TestSupport.stock(symbol, "stock", "Technology", "10", java.time.LocalDate.of(2026, 11, 20), null);
        String portfolio = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "Main"))
                .post("/api/v1/portfolios").then().statusCode(201).extract().path("id");
        TestSupport.retryingIfSymbolsWiped(() -> given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "BUY", "symbol", symbol, "date", "2025-01-02", "shares", 3, "price", 8))
                .post("/api/v1/portfolios/" + portfolio + "/transactions")).then().statusCode(201);
        TestSupport.restoreMartRows(); // narrows the window in which a concurrent mart-service sync could have wiped the stock
        for (int call = 0; call < 2; call++) {
            given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                    .body("metadata.cacheStatus", equalTo("miss")).body("performanceCommand.portfolioValue", equalTo(30)); // 3 x 10
        }
        given().auth().oauth2(token).get("/api/v1/stocks/" + symbol).then().statusCode(200).body("symbol", equalTo(symbol));
        given().get("/q/metrics").then().body(containsString("dashboard_rate_limiter_failures_total{operation=\"dashboard\"}"));
    }
}
