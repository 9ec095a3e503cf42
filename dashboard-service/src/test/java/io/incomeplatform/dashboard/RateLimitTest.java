package io.incomeplatform.dashboard;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

@QuarkusTest
class RateLimitTest {

    @Inject
    RedisDataSource redis;

    /** The limits count per calendar minute: start a burst early in a minute so it cannot straddle two windows. */
    static void startOfAFreshWindowIfLate() throws InterruptedException {
        long intoMinute = System.currentTimeMillis() % 60_000;
        if (intoMinute > 40_000) {
            Thread.sleep(60_000 - intoMinute + 100);
        }
    }

    @Test
    void shouldAnswer429AfterTheSixtiethDashboardCallOfAMinute() throws InterruptedException {
        String token = TestSupport.token(UUID.randomUUID());
        startOfAFreshWindowIfLate();
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                .header("RateLimit-Limit", "60").header("RateLimit-Remaining", "59").header("RateLimit-Policy", "60;w=60")
                .header("RateLimit", containsString("limit=60, remaining=59"));
        for (int call = 2; call <= 60; call++) {
            given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                    .header("RateLimit-Remaining", String.valueOf(60 - call));
        }
        String retryAfter = given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(429)
                .contentType("application/problem+json").body("status", equalTo(429))
                .header("RateLimit-Remaining", "0").extract().header("Retry-After");
        org.hamcrest.MatcherAssert.assertThat(Integer.parseInt(retryAfter), allOf(greaterThanOrEqualTo(1), lessThanOrEqualTo(60)));
        // Someone else is not affected, and other operations have their own budget.
        given().auth().oauth2(TestSupport.token(UUID.randomUUID())).get("/api/v1/dashboard").then().statusCode(200);
        given().auth().oauth2(token).get("/api/v1/profile").then().statusCode(200).header("RateLimit-Limit", "300");
        given().get("/q/metrics").then().body(containsString("dashboard_rate_limited_total{operation=\"dashboard\"}"));
    }

    @Test
    void shouldCountTheDashboardInItsCacheReadWithAnExpiringCounterAndHeadersOnProblems() throws InterruptedException {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        startOfAFreshWindowIfLate();
        // Not the caller's portfolio: a 404 problem, counted and carrying the headers like any answer.
        given().auth().oauth2(token).get("/api/v1/dashboard?portfolioId=" + UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json").header("RateLimit-Remaining", "59").header("RateLimit-Policy", "60;w=60");
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).header("RateLimit-Remaining", "58");
        // The counter of this minute lives one window plus a second at most (set on its first call).
        String key = "income:ratelimit:dashboard:" + user + ":" + System.currentTimeMillis() / 60_000;
        long ttl = redis.key(String.class).pttl(key);
        org.hamcrest.MatcherAssert.assertThat(ttl, allOf(greaterThanOrEqualTo(1L), lessThanOrEqualTo(61_000L)));
        // The second call was counted by this replica, which adds it to Redis within a sync interval (100 ms).
        await().atMost(Duration.ofSeconds(2)).until(() -> "2".equals(redis.value(String.class).get(key)));
    }

    @Test
    void shouldAddItsCallsToRedisAndLearnWhatOtherReplicasCounted() throws InterruptedException {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        startOfAFreshWindowIfLate();
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).header("RateLimit-Remaining", "59");
        String key = "income:ratelimit:dashboard:" + user + ":" + System.currentTimeMillis() / 60_000;
        redis.value(String.class).incrby(key, 50); // another replica counted 50 calls of this user
        // This replica does not know yet: its count is 2.
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).header("RateLimit-Remaining", "58");
        // At the next sync its call reaches Redis (1 + 50 + 1) and Redis' total comes back.
        await().atMost(Duration.ofSeconds(2)).until(() -> "52".equals(redis.value(String.class).get(key)));
        Thread.sleep(200); // the sync's reply is handled just after Redis ran it
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).header("RateLimit-Remaining", "7"); // 53 of 60
        for (int call = 54; call <= 60; call++) {
            given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).header("RateLimit-Remaining", String.valueOf(60 - call));
        }
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(429);
    }

    @Test
    void shouldAnswer429AfterTheTenthWriteOfAMinute() throws InterruptedException {
        String token = TestSupport.token(UUID.randomUUID());
        startOfAFreshWindowIfLate();
        for (int write = 1; write <= 10; write++) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "P" + write))
                    .post("/api/v1/portfolios").then().statusCode(201).header("RateLimit-Remaining", String.valueOf(10 - write));
        }
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "One too many"))
                .post("/api/v1/portfolios").then().statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue());
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("taxRate", 0.2))
                .put("/api/v1/profile").then().statusCode(429);
        given().auth().oauth2(token).get("/api/v1/portfolios").then().statusCode(200);
    }
}
