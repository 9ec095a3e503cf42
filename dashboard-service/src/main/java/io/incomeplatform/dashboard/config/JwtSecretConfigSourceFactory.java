package io.incomeplatform.dashboard.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Supabase signs HS256 tokens with a plain shared secret (AUTH_JWT_SECRET), but SmallRye JWT only
 * accepts a symmetric key as a JWK. This turns {@code auth.jwt.secret} into the equivalent
 * {@code {"kty":"oct","k":...}} JWK for {@code smallrye.jwt.verify.secretkey}, so operators set the
 * secret exactly as Supabase shows it.
 */
public class JwtSecretConfigSourceFactory implements ConfigSourceFactory {

    static final String SECRET_PROPERTY = "auth.jwt.secret";
    static final String VERIFY_KEY_PROPERTY = "smallrye.jwt.verify.secretkey";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue secret = context.getValue(SECRET_PROPERTY);
        if (secret == null || secret.getValue() == null || secret.getValue().isBlank()) {
            return List.of();
        }
        String k = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(secret.getValue().getBytes(StandardCharsets.UTF_8));
        String jwk = "{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"" + k + "\"}";
        return List.of(new PropertiesConfigSource(Map.of(VERIFY_KEY_PROPERTY, jwk), "auth-jwt-secret", 50));
    }
}
