package io.incomeplatform.dashboard;

import io.incomeplatform.dashboard.service.DashboardCache;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
class DashboardCacheTest {

    @Inject
    RedisDataSource redis;
    @Inject
    DashboardCache cache;

    static String status(String token) {
        return given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).extract().path("metadata.cacheStatus");
    }

    static String newUserWithOneHolding(UUID user, String symbol) {
        String token = TestSupport.token(user);
        TestSupport.stock(symbol, "stock", "Technology", "10", LocalDate.of(2026, 11, 20), "0.4");
        // A benchmark of its own: the shared SPY row may change under other engineers' tests.
        String benchmark = TestSupport.uniqueSymbol();
        TestSupport.stock(benchmark, "etf", "Index", "500", LocalDate.of(2026, 11, 20), null);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("benchmark", benchmark))
                .put("/api/v1/profile").then().statusCode(200);
        String portfolio = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "Main"))
                .post("/api/v1/portfolios").then().statusCode(201).extract().path("id");
        TestSupport.retryingIfSymbolsWiped(() -> given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "BUY", "symbol", symbol, "date", "2025-01-02", "shares", 10, "price", 8))
                .post("/api/v1/portfolios/" + portfolio + "/transactions")).then().statusCode(201);
        return portfolio;
    }

    /** Another engineer's mart sync may invalidate everything at any time, so "becomes a hit" is awaited. */
    static void awaitHit(String token) {
        await().atMost(Duration.ofSeconds(5)).until(() -> "hit".equals(status(token)));
    }

    @Test
    void shouldHitAfterTheFirstCallAndReflectALedgerWriteAtOnce() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        String symbol = TestSupport.uniqueSymbol();
        String portfolio = newUserWithOneHolding(user, symbol);
        TestSupport.retryingIfMartsWereReplaced(() -> {
            given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                    .body("metadata.cacheStatus", equalTo("miss")).body("performanceCommand.portfolioValue", equalTo(100)); // 10 x 10
        });
        awaitHit(token);

        TestSupport.retryingIfSymbolsWiped(() -> given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "BUY", "symbol", symbol, "date", "2025-02-03", "shares", 5, "price", 9))
                .post("/api/v1/portfolios/" + portfolio + "/transactions")).then().statusCode(201);
        TestSupport.retryingIfMartsWereReplaced(() -> {
            given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                    .body("metadata.cacheStatus", equalTo("miss")).body("performanceCommand.portfolioValue", equalTo(150)) // 15 x 10
                    .body("quickActions.recentActivity.transactions", hasSize(2));
        });
    }

    @Test
    void shouldInvalidateWhenMartsAreRefreshedForTheUserOrForEveryone() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        status(token);
        awaitHit(token);
        redis.pubsub(String.class).publish("income:marts-refreshed",
                "{\"marts\":[\"portfolio_performance\"],\"userIds\":[\"" + user + "\"],\"symbols\":null,\"asOf\":\"2026-11-20\",\"syncedAt\":\"2026-11-20T21:00:00Z\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> "miss".equals(status(token)));
        awaitHit(token);
        redis.pubsub(String.class).publish("income:marts-refreshed",
                "{\"marts\":[\"stocks_summary\"],\"userIds\":null,\"symbols\":null,\"asOf\":\"2026-11-20\",\"syncedAt\":\"2026-11-20T21:00:00Z\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> "miss".equals(status(token)));
    }

    @Test
    void shouldCountTheRateLimitAndSeeAnInvalidationInTheSameRedisCall() throws InterruptedException {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        RateLimitTest.startOfAFreshWindowIfLate();
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).header("RateLimit-Remaining", "59");
        awaitHit(token);
        int remaining = Integer.parseInt(given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                .extract().header("RateLimit-Remaining"));
        cache.invalidateUsers(List.of(user.toString())).await().indefinitely(); // what a portfolio-changed message does
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                .body("metadata.cacheStatus", equalTo("miss")).header("RateLimit-Remaining", String.valueOf(remaining - 1));
    }

    @Test
    void shouldServeItsOwnFreshCopyWithoutTheRedisEntryUntilAnInvalidation() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        status(token);
        // The Redis entry is damaged: while the generations match, this replica's copy is served without reading it.
        TestSupport.retryingIfMartsWereReplaced(() -> {
            awaitHit(token);
            redis.value(String.class).set("income:dashboard:" + user + ":all", "not a cached dashboard");
            given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                    .body("metadata.cacheStatus", equalTo("hit")).body("performanceCommand.portfolioValue", equalTo(100)); // 10 x 10
        });
        // After an invalidation the copy is not fresh: the unreadable entry is ignored and the dashboard rebuilt.
        cache.invalidateUsers(List.of(user.toString())).await().indefinitely();
        TestSupport.retryingIfMartsWereReplaced(() -> given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                .body("metadata.cacheStatus", equalTo("miss")).body("performanceCommand.portfolioValue", equalTo(100)));
        awaitHit(token);
    }

    @Test
    void shouldServeItsCopyWithoutRedisWhileSubscribedAndDropItWhenAnotherReplicaAnnouncesAChange() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        status(token);
        TestSupport.retryingIfMartsWereReplaced(() -> {
            awaitHit(token);
            // A generation bumped in Redis with no event (no replica does that): a hit does not read Redis, so it is not seen.
            redis.value(String.class).incr("income:dashboard-generation:" + user);
            given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).body("metadata.cacheStatus", equalTo("hit"));
        });
        // Another replica stored a ledger write of this user and announced it: this replica's copy is dropped.
        redis.pubsub(String.class).publish("income:portfolio-changed", "{\"userId\":\"" + user + "\",\"portfolioId\":null,\"symbols\":[]}");
        await().atMost(Duration.ofSeconds(5)).until(() -> "miss".equals(status(token)));
    }

    @Test
    void shouldAnswerNotModifiedForAMatchingEtag() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        TestSupport.retryingIfMartsWereReplaced(() -> {
            String etag = given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                    .header("ETag", startsWith("W/\"")).extract().header("ETag");
            given().auth().oauth2(token).header("If-None-Match", etag).get("/api/v1/dashboard").then().statusCode(304)
                    .header("ETag", equalTo(etag));
            given().auth().oauth2(token).header("If-None-Match", "W/\"something-else\"").get("/api/v1/dashboard").then().statusCode(200);
            // An invalidation without a change of data rebuilds the same cards: the ETag still matches.
            cache.invalidateUsers(List.of(user.toString())).await().indefinitely();
            given().auth().oauth2(token).header("If-None-Match", etag).get("/api/v1/dashboard").then().statusCode(304);
        });
    }

    /**
     * Writes an entry for the user's "all" scope as a replica stores it (four header lines, then the JSON),
     * built under the generations Redis holds now and stored ageMillis ago.
     */
    static void storeEntry(RedisDataSource redis, UUID user, String etag, long ageMillis, String json) {
        String userGeneration = java.util.Objects.requireNonNullElse(redis.value(String.class).get("income:dashboard-generation:" + user), "0");
        String globalGeneration = java.util.Objects.requireNonNullElse(redis.value(String.class).get("income:dashboard-generation:all"), "0");
        redis.value(String.class).set("income:dashboard:" + user + ":all",
                etag + "\n" + (System.currentTimeMillis() - ageMillis) + "\n" + userGeneration + "\n" + globalGeneration + "\n" + json);
    }

    @Test
    void shouldServeAFreshEntryAnotherReplicaStoredAsAHit() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        TestSupport.retryingIfMartsWereReplaced(() -> {
            // Stored a second ago under the current generations: fresh (TTL 5 min), sent as stored with cacheStatus added.
            storeEntry(redis, user, "W/\"e1\"", 1_000, "{\"cards\":1,\"metadata\":{\"scope\":\"all\"}}");
            String body = given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                    .header("ETag", equalTo("W/\"e1\"")).extract().asString();
            assertThat(body, equalTo("{\"cards\":1,\"metadata\":{\"scope\":\"all\",\"cacheStatus\":\"hit\"}}"));
        });
    }

    @Test
    void shouldRebuildAnEntryOlderThanTheTtlEvenUnderTheCurrentGenerations() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        TestSupport.retryingIfMartsWereReplaced(() -> {
            // Stored 5 min 1 s ago: one second past the TTL, so the lookup leaves it in Redis and the dashboard is built.
            storeEntry(redis, user, "W/\"e2\"", 301_000, "{\"cards\":2,\"metadata\":{\"scope\":\"all\"}}");
            given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                    .header("ETag", org.hamcrest.Matchers.not(equalTo("W/\"e2\"")))
                    .body("metadata.cacheStatus", equalTo("miss")).body("performanceCommand.portfolioValue", equalTo(100)); // 10 x 10
        });
    }
}
