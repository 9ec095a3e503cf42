package io.incomeplatform.dashboard;

import io.incomeplatform.dashboard.service.DashboardCache;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A hit answered from memory before Quarkus REST (rest/DashboardHitRoute) must be the answer
 * DashboardResource gives. An Accept header naming two types is one the in-memory route leaves to
 * DashboardResource, so the two paths can be compared on the same cached dashboard.
 */
@QuarkusTest
class DashboardHitRouteTest {

    @Inject
    DashboardCache cache;

    private static final String BOTH_PATHS_ACCEPT = "application/json, text/plain;q=0.5";

    private static Response dashboard(String token, String accept, String query) {
        return given().auth().oauth2(token).header("Accept", accept).get("/api/v1/dashboard" + query);
    }

    /** The Prometheus count of GET /api/v1/dashboard answered 200. */
    private static double dashboardOkCount() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("http_server_requests_seconds_count{") && line.contains("uri=\"/api/v1/dashboard\"")
                    && line.contains("status=\"200\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Test
    void shouldAnswerAHitFromMemoryWithTheBodyAndHeadersOfTheFullPath() throws InterruptedException {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        DashboardCacheTest.newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        RateLimitTest.startOfAFreshWindowIfLate();
        TestSupport.retryingIfMartsWereReplaced(() -> {
            DashboardCacheTest.awaitHit(token);
            Response full = dashboard(token, BOTH_PATHS_ACCEPT, "");
            Response memory = dashboard(token, "application/json", "");
            full.then().statusCode(200).body("metadata.cacheStatus", equalTo("hit"));
            memory.then().statusCode(200).body("metadata.cacheStatus", equalTo("hit"))
                    .contentType(equalTo(full.contentType()))
                    .header("ETag", equalTo(full.header("ETag")))
                    .header("Cache-Control", equalTo("private, no-cache"))
                    .header("Content-Length", equalTo(full.header("Content-Length")))
                    .header("RateLimit-Limit", "60").header("RateLimit-Policy", "60;w=60")
                    // Counted one after the full path's call: 60 - remaining went up by one.
                    .header("RateLimit-Remaining", String.valueOf(Integer.parseInt(full.header("RateLimit-Remaining")) - 1));
            assertThat(memory.asString(), equalTo(full.asString()));
        });
    }

    @Test
    void shouldTimeAndCountHitsFromMemoryUnderTheDashboardEndpoint() {
        String token = TestSupport.token(UUID.randomUUID());
        DashboardCacheTest.awaitHit(token);
        double before = dashboardOkCount();
        for (int call = 0; call < 3; call++) {
            dashboard(token, "*/*", "").then().statusCode(200).body("metadata.cacheStatus", equalTo("hit"));
        }
        assertThat(dashboardOkCount() - before, equalTo(3.0));
    }

    @Test
    void shouldRefuseARoleTheDashboardDoesNotAllowEvenWhenTheDashboardIsInMemory() {
        UUID user = UUID.randomUUID();
        DashboardCacheTest.awaitHit(TestSupport.token(user));
        String anonymous = Jwt.subject(user.toString()).claim("role", "anon").expiresIn(300).signWithSecret(TestSupport.SECRET);
        dashboard(anonymous, "*/*", "").then().statusCode(403).contentType("application/problem+json");
        dashboard(anonymous, "*/*", "").then().statusCode(403);
    }

    @Test
    void shouldServeAPortfolioFromMemoryOnlyToItsOwner() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        String portfolio = DashboardCacheTest.newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        TestSupport.retryingIfMartsWereReplaced(() -> {
            dashboard(token, "*/*", "?portfolioId=" + portfolio).then().statusCode(200);
            dashboard(token, "*/*", "?portfolioId=" + portfolio).then().statusCode(200)
                    .body("metadata.cacheStatus", equalTo("hit"));
        });
        String stranger = TestSupport.token(UUID.randomUUID());
        dashboard(stranger, "*/*", "?portfolioId=" + portfolio).then().statusCode(404);
        dashboard(token, "*/*", "?portfolioId=not-a-uuid").then().statusCode(404);
    }

    /** The body without its build time (lastUpdated), which two builds of the same data do not share. */
    private static String withoutBuildTime(String body) {
        return body.replaceAll("\"lastUpdated\":\"[^\"]*\"", "\"lastUpdated\":\"-\"");
    }

    @Test
    void shouldAnswerAMissForAKnownTokenWithTheBodyAndHeadersOfTheFullPath() throws InterruptedException {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        DashboardCacheTest.newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        RateLimitTest.startOfAFreshWindowIfLate();
        TestSupport.retryingIfMartsWereReplaced(() -> {
            // Each call follows an invalidation, so both are built from the database (misses); the token is known by then.
            cache.invalidateUsers(List.of(user.toString())).await().indefinitely();
            Response full = dashboard(token, BOTH_PATHS_ACCEPT, "");
            cache.invalidateUsers(List.of(user.toString())).await().indefinitely();
            Response route = dashboard(token, "application/json", "");
            full.then().statusCode(200).body("metadata.cacheStatus", equalTo("miss")).body("performanceCommand.portfolioValue", equalTo(100));
            route.then().statusCode(200).body("metadata.cacheStatus", equalTo("miss"))
                    .contentType(equalTo(full.contentType()))
                    .header("ETag", equalTo(full.header("ETag")))
                    .header("Cache-Control", equalTo("private, no-cache"))
                    .header("Content-Length", equalTo(full.header("Content-Length")))
                    .header("RateLimit-Limit", "60").header("RateLimit-Policy", "60;w=60")
                    .header("RateLimit-Remaining", String.valueOf(Integer.parseInt(full.header("RateLimit-Remaining")) - 1));
            assertThat(withoutBuildTime(route.asString()), equalTo(withoutBuildTime(full.asString())));
            // Its ETag answers a conditional request with 304 on a miss too.
            cache.invalidateUsers(List.of(user.toString())).await().indefinitely();
            given().auth().oauth2(token).header("If-None-Match", full.header("ETag")).get("/api/v1/dashboard").then().statusCode(304)
                    .header("ETag", equalTo(full.header("ETag")));
        });
    }

    @Test
    void shouldAnswerAnotherUsersPortfolioWithTheProblemOfTheFullPath() throws InterruptedException {
        UUID owner = UUID.randomUUID();
        String portfolio = DashboardCacheTest.newUserWithOneHolding(owner, TestSupport.uniqueSymbol());
        String stranger = TestSupport.token(UUID.randomUUID());
        RateLimitTest.startOfAFreshWindowIfLate();
        Response full = dashboard(stranger, BOTH_PATHS_ACCEPT, "?portfolioId=" + portfolio);
        Response route = dashboard(stranger, "application/json", "?portfolioId=" + portfolio);
        full.then().statusCode(404).contentType("application/problem+json").header("RateLimit-Remaining", "59");
        route.then().statusCode(404).contentType("application/problem+json").header("RateLimit-Remaining", "58")
                .header("RateLimit-Limit", "60").header("RateLimit-Policy", "60;w=60")
                .header("Content-Length", equalTo(full.header("Content-Length")));
        assertThat(route.asString(), equalTo("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"Portfolio " + portfolio + " was not found.\"}"));
        assertThat(route.asString(), equalTo(full.asString()));
    }
}
