package io.incomeplatform.dashboard;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;

@QuarkusTest
class MetricsTest {

    @Test
    void shouldPublishLatencyPercentilesPerEndpointAndCacheCounters() {
        String token = TestSupport.token(UUID.randomUUID());
        given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200);
        given().auth().oauth2(token).get("/api/v1/portfolios").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(allOf(
                containsString("uri=\"/api/v1/dashboard\",quantile=\"0.99\"}"),
                matchesPattern("(?s).*http_server_requests_seconds_bucket\\{[^}]*uri=\"/api/v1/portfolios\".*"),
                containsString("dashboard_cache_requests_total{status=\"miss\"}")));
    }
}
