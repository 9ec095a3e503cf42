package io.incomeplatform.ingestion.service;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.incomeplatform.ingestion.TestSupport.operatorToken;
import static io.incomeplatform.ingestion.TestSupport.uniqueSymbol;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class TierSymbolsTest {

    @Inject
    TierScheduler scheduler;

    @Inject
    ReactiveRedisDataSource redis;

    @Test
    void shouldPutHeldSymbolsAndTierOneSecuritiesInTierOne() {
        String held = uniqueSymbol();
        String listed = uniqueSymbol();
        String key = "income:holdings:" + UUID.randomUUID();
        given().auth().oauth2(operatorToken()).contentType(ContentType.JSON)
                .body("[{\"symbol\":\"" + listed + "\",\"name\":\"Listed\",\"assetType\":\"stock\",\"tier\":1}]")
                .post("/api/v1/securities").then().statusCode(200);
        try {
            redis.set(String.class).sadd(key, held.toLowerCase()).await().atMost(Duration.ofSeconds(5));
            List<String> tierOne = scheduler.symbolsOf(1).await().atMost(Duration.ofSeconds(10));
            assertTrue(tierOne.contains(held), "held symbol upper-cased into tier 1");
            assertTrue(tierOne.contains(listed), "tier 1 security");
            List<String> tierTwo = scheduler.symbolsOf(2).await().atMost(Duration.ofSeconds(10));
            assertTrue(!tierTwo.contains(held) && !tierTwo.contains(listed));
        } finally {
            redis.key(String.class).del(key).await().atMost(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldTakeTheSymbolsOfEveryHoldingUserIntoTierOne() {
        String first = uniqueSymbol();
        String second = uniqueSymbol();
        String firstUser = "income:holdings:" + UUID.randomUUID();
        String secondUser = "income:holdings:" + UUID.randomUUID();
        try {
            redis.set(String.class).sadd(firstUser, first).await().atMost(Duration.ofSeconds(5));
            redis.set(String.class).sadd(secondUser, second, first).await().atMost(Duration.ofSeconds(5));
            List<String> tierOne = scheduler.symbolsOf(1).await().atMost(Duration.ofSeconds(10));
            assertTrue(tierOne.contains(first) && tierOne.contains(second), "both users' symbols in tier 1");
        } finally {
            redis.key(String.class).del(firstUser, secondUser).await().atMost(Duration.ofSeconds(5));
        }
    }
}
