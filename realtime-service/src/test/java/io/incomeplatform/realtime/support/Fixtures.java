package io.incomeplatform.realtime.support;

import io.smallrye.jwt.build.Jwt;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Tokens, unique symbols and user ids, and tick JSON as ingestion publishes it. */
public final class Fixtures {

    public static final String SECRET = "local-development-secret-at-least-32-bytes!!";

    private Fixtures() {
    }

    public static String token(String userId) {
        return Jwt.subject(userId).claim("role", "authenticated").expiresIn(300).signWithSecret(SECRET);
    }

    public static String newUserId() {
        return UUID.randomUUID().toString();
    }

    /** A symbol no other test (or engineer) uses: "Z" and 7 random upper-case letters. */
    public static String uniqueSymbol() {
        StringBuilder symbol = new StringBuilder("Z");
        for (int i = 0; i < 7; i++) {
            symbol.append((char) ('A' + ThreadLocalRandom.current().nextInt(26)));
        }
        return symbol.toString();
    }

    public static URI webSocketUri(URI httpUri) {
        return URI.create(httpUri.toString().replaceFirst("^http", "ws"));
    }

    /** One tick object of the contract with the given price and time. */
    public static String tick(String symbol, String price, Instant ts) {
        return "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"previousClose\":100.00,\"change\":1.5,"
                + "\"changeRatio\":0.015,\"volume\":1200,\"ts\":\"" + ts + "\",\"source\":\"test\"}";
    }

    public static String ticksMessage(String... ticks) {
        return "{\"ticks\":[" + String.join(",", ticks) + "]}";
    }
}
