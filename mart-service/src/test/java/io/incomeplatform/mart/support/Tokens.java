package io.incomeplatform.mart.support;

import io.smallrye.jwt.build.Jwt;

public final class Tokens {

    public static final String SECRET = "local-development-secret-at-least-32-bytes!!";

    private Tokens() {
    }

    public static String operator() {
        return Jwt.subject("8a1f7f5e-0a57-4b7e-9d55-3f1f0b8a2c11").claim("role", "service_role").expiresIn(300).signWithSecret(SECRET);
    }

    public static String user() {
        return Jwt.subject("8a1f7f5e-0a57-4b7e-9d55-3f1f0b8a2c12").claim("role", "authenticated").expiresIn(300).signWithSecret(SECRET);
    }
}
