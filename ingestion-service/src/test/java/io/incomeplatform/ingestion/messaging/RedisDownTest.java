package io.incomeplatform.ingestion.messaging;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.incomeplatform.ingestion.TestSupport.count;
import static io.incomeplatform.ingestion.TestSupport.operatorToken;
import static io.incomeplatform.ingestion.TestSupport.uniqueSymbol;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@TestProfile(RedisDownTest.RedisOnClosedPort.class)
class RedisDownTest {

    /** Redis pointed at a port nothing listens on. */
    public static class RedisOnClosedPort implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:1", "quarkus.redis.timeout", "1s");
        }
    }

    @Inject
    Pool pool;

    @Test
    void shouldStoreTicksWhenRedisIsDown() {
        String symbol = uniqueSymbol();
        given().auth().oauth2(operatorToken()).contentType(ContentType.JSON)
                .body("[{\"symbol\":\"" + symbol + "\",\"ts\":\"2026-11-20T15:00:00Z\",\"price\":10}]")
                .post("/api/v1/ticks")
                .then().statusCode(200).body("accepted", equalTo(1));
        assertEquals(1, count(pool, "SELECT count(*) FROM raw.price_ticks WHERE symbol = $1", symbol));
    }

    @Test
    void shouldStayReadyAndReportPublishingDegraded() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'redis-publishing' }.data.publishing", equalTo("degraded"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
    }
}
