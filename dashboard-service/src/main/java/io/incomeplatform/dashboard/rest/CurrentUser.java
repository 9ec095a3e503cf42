package io.incomeplatform.dashboard.rest;

import io.incomeplatform.dashboard.service.ApiProblem;
import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.UUID;

/** The caller, from the verified JWT: {@code sub} is the user id every query is scoped to. */
@RequestScoped
public class CurrentUser {

    @Inject
    JsonWebToken jwt;

    public UUID id() {
        String subject = jwt.getSubject();
        if (subject == null) {
            throw new UnauthorizedException();
        }
        UUID id = parseUserId(subject);
        if (id == null) {
            // A service_role token may carry a non-UUID subject; it owns no user data.
            throw new ApiProblem(403, "Forbidden", "The token's subject is not a user id.", java.util.Map.of(), java.util.Map.of());
        }
        return id;
    }

    /** The subject as a user id, or null when it is none (absent, or not a UUID). */
    static UUID parseUserId(String subject) {
        if (subject == null) {
            return null;
        }
        try {
            return UUID.fromString(subject);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
