package io.incomeplatform.e2e;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Supabase-style HS256 tokens, signed by hand so the test shares no code with the services. */
final class Tokens {

    private Tokens() {
    }

    static String user(UUID userId) {
        return sign(userId.toString(), "authenticated");
    }

    static String operator() {
        return sign("00000000-0000-4000-8000-00000000e2e0", "service_role");
    }

    static String sign(String subject, String role) {
        long now = Instant.now().getEpochSecond();
        return signClaims("{\"sub\":\"" + subject + "\",\"role\":\"" + role + "\",\"iat\":" + now
                + ",\"exp\":" + (now + 600) + "}", Platform.JWT_SECRET);
    }

    static String signClaims(String claimsJson, String secret) {
        String header = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String payload = encode(claimsJson);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
