package io.incomeplatform.dashboard.rest;

import io.incomeplatform.dashboard.config.DashboardConfig;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SmallRye JWT's parser with a memory of the tokens it has verified. A browser sends the same token
 * with every call until it expires, and verifying it (base64, JSON parsing, signature, claim checks)
 * was a fifth of the CPU of a cached dashboard. A token is remembered by its exact text (so the same
 * signature) until its {@code exp}, never longer; a token that fails verification is never remembered.
 * At most dashboard.auth.token-cache-size tokens (0 turns it off): when full, expired ones are dropped,
 * and if that is not enough, all of them.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser extends DefaultJWTParser {

    /**
     * A verified token and, read once, what DashboardHitRoute checks on every call: its groups (the
     * roles) and its subject as a user id (null when the subject is not a UUID).
     */
    public record Verified(JsonWebToken jwt, long expiresAtMillis, Set<String> groups, UUID userId) {
        Verified(JsonWebToken jwt, long expiresAtMillis) {
            this(jwt, expiresAtMillis, Set.copyOf(jwt.getGroups()), CurrentUser.parseUserId(jwt.getSubject()));
        }
    }

    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    @Inject
    DashboardConfig config;

    /**
     * The token as this parser verified it earlier, while it has not expired; null when it was never
     * verified (or is forgotten, or the cache is off): the caller must then go through {@link #parse}.
     */
    public Verified verifiedEarlier(String token) {
        if (config.auth().tokenCacheSize() <= 0) {
            return null;
        }
        Verified known = verified.get(token);
        return known != null && System.currentTimeMillis() < known.expiresAtMillis() ? known : null;
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        int capacity = config.auth().tokenCacheSize();
        if (capacity <= 0) {
            return super.parse(token);
        }
        long now = System.currentTimeMillis();
        Verified known = verified.get(token);
        if (known != null) {
            if (now < known.expiresAtMillis()) {
                return known.jwt();
            }
            verified.remove(token, known);
        }
        JsonWebToken jwt = super.parse(token);
        long expiresAtMillis = jwt.getExpirationTime() * 1000;
        if (now < expiresAtMillis) {
            if (verified.size() >= capacity) {
                verified.values().removeIf(v -> v.expiresAtMillis() <= now);
                if (verified.size() >= capacity) {
                    verified.clear();
                }
            }
            verified.put(token, new Verified(jwt, expiresAtMillis));
        }
        return jwt;
    }
}
