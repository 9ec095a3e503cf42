package io.incomeplatform.dashboard;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * Verified tokens are remembered (rest/CachingJwtParser), but never past their exp and never by their
 * claims alone. SmallRye JWT itself still accepts a token for a clock skew after its exp (1 s in the
 * test profile, AUTH_JWT_CLOCK_SKEW), so "refused once expired" is awaited for a few seconds.
 */
@QuarkusTest
class TokenCacheTest {

    @Test
    void shouldRefuseARememberedTokenOnceItHasExpired() {
        long expiresAt = System.currentTimeMillis() / 1000 + 2;
        String token = Jwt.subject(UUID.randomUUID().toString()).claim("role", "authenticated")
                .expiresAt(expiresAt).signWithSecret(TestSupport.SECRET);
        given().auth().oauth2(token).get("/api/v1/portfolios").then().statusCode(200);
        given().auth().oauth2(token).get("/api/v1/portfolios").then().statusCode(200); // now answered from the memory
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() ->
                given().auth().oauth2(token).get("/api/v1/portfolios").statusCode() == 401);
        given().auth().oauth2(token).get("/api/v1/portfolios").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void shouldRefuseARememberedTokensClaimsUnderAnotherSignature() {
        String token = TestSupport.token(UUID.randomUUID());
        given().auth().oauth2(token).get("/api/v1/portfolios").then().statusCode(200);
        // Same header and claims, first signature character changed (it carries 6 signature bits, no padding).
        int signature = token.lastIndexOf('.') + 1;
        char replaced = token.charAt(signature) == 'A' ? 'B' : 'A';
        String forged = token.substring(0, signature) + replaced + token.substring(signature + 1);
        given().auth().oauth2(forged).get("/api/v1/portfolios").then().statusCode(401);
        given().auth().oauth2(token).get("/api/v1/portfolios").then().statusCode(200);
    }
}
