package io.incomeplatform.realtime;

import io.incomeplatform.realtime.support.Fixtures;
import io.incomeplatform.realtime.support.PriceClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

@QuarkusTest
class PricesSocketAuthenticationTest {

    @TestHTTPResource("/ws/v1/prices")
    URI http;

    URI endpoint() {
        return Fixtures.webSocketUri(http);
    }

    @Test
    void shouldRefuseUpgradeWithoutToken() {
        assertEquals(401, handshakeStatus(() -> PriceClient.connect(endpoint(), null)));
    }

    @Test
    void shouldRefuseTokenSignedWithAnotherSecret() {
        String forged = Jwt.subject(Fixtures.newUserId()).claim("role", "authenticated").expiresIn(300)
                .signWithSecret("another-secret-that-is-also-32-bytes-long!!");
        assertEquals(401, handshakeStatus(() -> PriceClient.connectWithQueryToken(endpoint(), forged)));
        assertEquals(401, handshakeStatus(() -> PriceClient.connectWithSubprotocol(endpoint(), forged)));
    }

    @Test
    void shouldRefuseExpiredToken() {
        // expired ten minutes ago: beyond the verifier's 60 s clock skew
        String expired = Jwt.subject(Fixtures.newUserId()).claim("role", "authenticated")
                .issuedAt(Instant.now().minusSeconds(1200)).expiresAt(Instant.now().minusSeconds(600))
                .signWithSecret(Fixtures.SECRET);
        assertEquals(401, handshakeStatus(() -> PriceClient.connectWithQueryToken(endpoint(), expired)));
    }

    @Test
    void shouldRefuseGarbageToken() {
        assertEquals(401, handshakeStatus(() -> PriceClient.connectWithQueryToken(endpoint(), "not-a-jwt")));
    }

    @Test
    void shouldRefuseTokenWithoutUserRole() {
        String anon = Jwt.subject(Fixtures.newUserId()).claim("role", "anon").expiresIn(300).signWithSecret(Fixtures.SECRET);
        assertEquals(403, handshakeStatus(() -> PriceClient.connectWithQueryToken(endpoint(), anon)));
    }

    @Test
    void shouldAcceptQueryToken() {
        try (PriceClient client = PriceClient.connectWithQueryToken(endpoint(), Fixtures.token(Fixtures.newUserId()))) {
            client.roundTrip();
            assertEquals(1, client.ofType("pong").size());
        }
    }

    @Test
    void shouldAcceptSubprotocolTokenAndEchoIt() {
        String token = Fixtures.token(Fixtures.newUserId());
        try (PriceClient client = PriceClient.connectWithSubprotocol(endpoint(), token)) {
            assertEquals("bearer." + token, client.webSocket().getSubprotocol());
            client.roundTrip();
        }
    }

    @Test
    void shouldCloseConnectionWhenTokenExpires() throws Exception {
        // exp is whole seconds: 2 s ahead is between 1 and 2 s from now
        String shortLived = Jwt.subject(Fixtures.newUserId()).claim("role", "authenticated")
                .expiresAt(Instant.now().getEpochSecond() + 2).signWithSecret(Fixtures.SECRET);
        try (PriceClient client = PriceClient.connectWithQueryToken(endpoint(), shortLived)) {
            assertEquals(1008, client.closeCode().get(6, TimeUnit.SECONDS));
        }
    }

    private static int handshakeStatus(Runnable connect) {
        CompletionException failure = assertThrows(CompletionException.class, connect::run);
        return assertInstanceOf(WebSocketHandshakeException.class, failure.getCause()).getResponse().statusCode();
    }
}
