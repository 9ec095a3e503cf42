package io.incomeplatform.ingestion.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;

import static io.incomeplatform.ingestion.TestSupport.count;
import static io.incomeplatform.ingestion.TestSupport.operatorToken;
import static io.incomeplatform.ingestion.TestSupport.token;
import static io.incomeplatform.ingestion.TestSupport.uniqueSymbol;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class JobsAndStatusTest {

    @Inject
    Pool pool;

    private String submit(String body) {
        return given().auth().oauth2(operatorToken()).contentType(ContentType.JSON).body(body)
                .post("/api/v1/backfill")
                .then().statusCode(202).header("Location", containsString("/api/v1/jobs/"))
                .extract().path("id");
    }

    private void awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                status.equals(given().auth().oauth2(operatorToken()).get("/api/v1/jobs/" + id).then().statusCode(200)
                        .extract().path("status")));
    }

    @Test
    void shouldBackfillAsAJobAndNotFetchTheSameRangeTwice() {
        String symbol = uniqueSymbol();
        String body = """
                {"symbols":["%s"],"from":"2026-11-02","to":"2026-11-06","provider":"simulated"}""".formatted(symbol.toLowerCase());
        String id = submit(body);
        awaitStatus(id, "succeeded");
        // Monday 2026-11-02 to Friday 2026-11-06: 5 trading days, 5 bars
        assertEquals(5, count(pool, "SELECT count(*) FROM raw.price_bars WHERE symbol = $1", symbol));
        given().auth().oauth2(operatorToken()).get("/api/v1/jobs/" + id).then()
                .body("symbols", equalTo(java.util.List.of(symbol)))
                .body("items", hasSize(1)).body("items[0].status", equalTo("succeeded"))
                .body("items[0].source", equalTo("simulated"));

        String again = submit(body);
        awaitStatus(again, "succeeded");
        given().auth().oauth2(operatorToken()).get("/api/v1/jobs/" + again).then()
                .body("rowsAccepted", equalTo(0)).body("detail", containsString("1 symbol(s) already backfilled"));
        assertEquals(5, count(pool, "SELECT count(*) FROM raw.price_bars WHERE symbol = $1", symbol));
    }

    @Test
    void shouldRefuseABackfillWithBadFields() {
        String future = LocalDate.now().plusDays(3).toString();
        given().auth().oauth2(operatorToken()).contentType(ContentType.JSON)
                .body("{\"symbols\":[\"BAD SYMBOL\"],\"from\":\"2026-11-06\",\"to\":\"2026-11-02\",\"provider\":\"nobody\"}")
                .post("/api/v1/backfill").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("symbols")).body("errors.field", hasItem("from"))
                .body("errors.field", hasItem("provider"));
        given().auth().oauth2(operatorToken()).contentType(ContentType.JSON)
                .body("{\"symbols\":[\"AAPL\"],\"from\":\"2026-11-02\",\"to\":\"" + future + "\"}")
                .post("/api/v1/backfill").then().statusCode(400).body("errors[0].field", equalTo("to"));
        given().auth().oauth2(operatorToken()).contentType(ContentType.JSON)
                .body("{\"symbols\":[],\"from\":\"2026-11-02\",\"to\":\"2026-11-03\"}")
                .post("/api/v1/backfill").then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(operatorToken()).contentType(ContentType.JSON)
                .body("{\"symbols\":[\"AAPL\"],\"from\":\"2026-13-02\",\"to\":\"2026-11-03\"}")
                .post("/api/v1/backfill").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void shouldAnswer404ForAnUnknownJob() {
        given().auth().oauth2(operatorToken()).get("/api/v1/jobs/00000000-0000-0000-0000-000000000001")
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(operatorToken()).get("/api/v1/jobs/not-a-uuid")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void shouldRequireTheOperatorRoleForJobsAndStatus() {
        given().auth().oauth2(token("authenticated")).contentType(ContentType.JSON)
                .body("{\"symbols\":[\"AAPL\"],\"from\":\"2026-11-02\",\"to\":\"2026-11-03\"}")
                .post("/api/v1/backfill").then().statusCode(403);
        given().get("/api/v1/ingestion/status").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void shouldShowEachProviderAndTier() {
        given().auth().oauth2(operatorToken()).get("/api/v1/ingestion/status").then().statusCode(200)
                .body("providers.name", hasItem("simulated"))
                .body("providers.find { it.name == 'simulated' }.circuitState", equalTo("closed"))
                .body("providers.find { it.name == 'simulated' }.enabled", equalTo(true))
                .body("tiers", hasSize(4))
                .body("tiers[0].quoteIntervalSeconds", equalTo(15))
                .body("publishing", equalTo("ok"));
    }

    @Test
    void shouldFlagClosesThatDisagreeBetweenSources() {
        String symbol = uniqueSymbol();
        String bar = "{\"symbol\":\"%s\",\"date\":\"2026-11-20\",\"open\":100,\"high\":104,\"low\":99,\"close\":%s,\"volume\":1,\"source\":\"%s\"}";
        for (String[] closeAndSource : new String[][] {{"100", "a"}, {"103", "b"}, {"101", "c"}}) {
            given().auth().oauth2(operatorToken()).contentType(ContentType.JSON)
                    .body("[" + bar.formatted(symbol, closeAndSource[0], closeAndSource[1]) + "]")
                    .post("/api/v1/bars").then().statusCode(200).body("accepted", equalTo(1));
        }
        // b vs a: |103 - 100| / 100 = 3 % > 2 %: flagged. c vs a: 1 %, c vs b: 2 / 103 = 1.94 %: not flagged.
        assertEquals(1, count(pool, "SELECT count(*) FROM raw.price_disagreements WHERE symbol = $1", symbol));
        assertEquals(1, count(pool, "SELECT count(*) FROM raw.price_disagreements WHERE symbol = $1 AND source = 'b' "
                + "AND other_source = 'a' AND relative_gap = 0.03", symbol));
    }
}
