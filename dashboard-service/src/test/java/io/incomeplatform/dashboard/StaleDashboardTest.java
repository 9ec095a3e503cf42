package io.incomeplatform.dashboard;

import io.incomeplatform.dashboard.service.DashboardCache;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The service reaches Postgres through a proxy the test cuts: the database is "down" for it alone. The proxy
 * must know the server before Quarkus starts, so this runs only against the server the environment names.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "DB_HOST", matches = ".*\\S.*",
        disabledReason = "DB_HOST is not set: the proxy needs a PostgreSQL named before Quarkus starts, not a Dev Services container")
@TestProfile(StaleDashboardTest.DatabaseBehindProxy.class)
class StaleDashboardTest {

    static final CuttableTcpProxy PROXY = new CuttableTcpProxy(Integer.parseInt(System.getenv().getOrDefault("DB_PORT", "5432")));

    public static class DatabaseBehindProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + PROXY.port() + "/" + TestSupport.servingDatabase(),
                    "quarkus.datasource.reactive.idle-timeout", "PT1S",
                    "dashboard.cache.database-timeout", "1s");
        }
    }

    @Inject
    DashboardCache cache;
    @Inject
    RedisDataSource redis;

    @AfterEach
    void restoreDatabase() {
        PROXY.restore();
    }

    @Test
    void shouldServeTheLastGoodDashboardMarkedStaleWhileTheDatabaseIsDown() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        DashboardCacheTest.newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        TestSupport.retryingIfMartsWereReplaced(() -> {
            given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                    .body("metadata.cacheStatus", equalTo("miss")).body("performanceCommand.portfolioValue", equalTo(100));
        });
        // The user's marts were refreshed (the cached copy is no longer fresh), and then the database goes away.
        cache.invalidateUsers(List.of(user.toString())).await().indefinitely();
        PROXY.cut();

        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                .body("metadata.cacheStatus", equalTo("stale")).body("performanceCommand.portfolioValue", equalTo(100));

        // A user with nothing cached gets a 503 problem, not a hang or a 500.
        given().auth().oauth2(TestSupport.token(UUID.randomUUID())).get("/api/v1/dashboard").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", equalTo("5"));

        PROXY.restore();
        await().atMost(Duration.ofSeconds(10)).until(() -> !"stale".equals(given().auth().oauth2(token).get("/api/v1/dashboard")
                .then().statusCode(200).extract().path("metadata.cacheStatus")));
    }

    @Test
    void shouldServeAnEntryOlderThanTheTtlAsStaleWhileTheDatabaseIsDownAndA503WhenItIsUnreadable() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        // Stored ten minutes ago (TTL 5 min) under the current generations: not fresh, so the lookup leaves it in Redis.
        DashboardCacheTest.storeEntry(redis, user, "W/\"old\"", 600_000, "{\"cards\":3,\"metadata\":{\"scope\":\"all\"}}");
        PROXY.cut();

        String body = given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                .header("ETag", equalTo("W/\"old\"")).extract().asString();
        assertThat(body, equalTo("{\"cards\":3,\"metadata\":{\"scope\":\"all\",\"cacheStatus\":\"stale\"}}"));

        // An entry that cannot be read is no last good dashboard: 503, as with nothing cached.
        redis.value(String.class).set("income:dashboard:" + user + ":all", "not a cached dashboard");
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", equalTo("5"));
    }
}
