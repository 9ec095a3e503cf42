package io.incomeplatform.ingestion;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.incomeplatform.ingestion.TestSupport.operatorToken;
import static io.incomeplatform.ingestion.TestSupport.uniqueSymbol;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

@QuarkusTest
class MetricsTest {

    @Test
    void shouldCountRowsBySourceAndOutcomeAndExposeProviderAndTierMeters() {
        String symbol = uniqueSymbol();
        given().auth().oauth2(operatorToken()).contentType(ContentType.JSON)
                .body("[{\"symbol\":\"" + symbol + "\",\"date\":\"2026-11-20\",\"amount\":0.5,\"source\":\"metrics-test\"},"
                        + "{\"symbol\":\"" + symbol + "\",\"date\":\"2026-11-21\",\"shortPosition\":2}]")
                .post("/api/v1/short-positions").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("ingestion_rows_total{outcome=\"rejected\",source=\"api\",type=\"short-positions\"}"))
                .body(containsString("ingestion_batch_seconds_count{type=\"short-positions\"}"))
                .body(containsString("ingestion_provider_circuit_state{provider=\"simulated\"}"))
                .body(containsString("ingestion_tier_lag_seconds{tier=\"1\"}"));
    }
}
