package io.incomeplatform.dashboard.rest;

import io.incomeplatform.dashboard.service.ApiProblem;
import io.incomeplatform.dashboard.service.RateLimiter;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.util.Map;

/**
 * Applies the per-user rate limits to /api/v1: GET /api/v1/dashboard is "dashboard", any other GET
 * is "read", everything else is "write". Every limited response carries the IETF draft headers
 * (RateLimit-Policy and RateLimit, plus the RateLimit-Limit/-Remaining/-Reset form many clients read);
 * past the limit the answer is 429 with Retry-After. Unauthenticated calls are left to the security
 * checks (401).
 */
public class RateLimitFilter {

    private static final String DECISION = RateLimitFilter.class.getName() + ".decision";

    @Inject
    RateLimiter limiter;
    @Inject
    CurrentIdentityAssociation identity;

    @ServerRequestFilter
    public Uni<Response> limit(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/v1/")) {
            return Uni.createFrom().nullItem();
        }
        String method = request.getMethod();
        RateLimiter.Operation operation = !"GET".equals(method) && !"HEAD".equals(method) ? RateLimiter.Operation.WRITE
                : path.equals("/api/v1/dashboard") ? RateLimiter.Operation.DASHBOARD : RateLimiter.Operation.READ;
        return identity.getDeferredIdentity()
                .onFailure().recoverWithNull()
                .chain(caller -> {
                    if (caller == null || caller.isAnonymous() || !(caller.getPrincipal() instanceof JsonWebToken jwt) || jwt.getSubject() == null) {
                        return Uni.createFrom().nullItem();
                    }
                    return limiter.check(jwt.getSubject(), operation).map(decision -> {
                        request.setProperty(DECISION, decision);
                        if (decision.allowed()) {
                            return null;
                        }
                        throw new ApiProblem(429, "Too Many Requests", "Rate limit of " + decision.limit() + " " + decision.operation()
                                + " requests per " + decision.windowSeconds() + " s reached; retry in " + decision.resetSeconds() + " s.",
                                Map.of(), headers(decision, true));
                    });
                });
    }

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(DECISION) instanceof RateLimiter.Decision decision && decision.known() && decision.allowed()) {
            headers(decision, false).forEach((name, value) -> response.getHeaders().putSingle(name, value));
        }
    }

    private static Map<String, String> headers(RateLimiter.Decision d, boolean limited) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("RateLimit-Policy", d.limit() + ";w=" + d.windowSeconds());
        headers.put("RateLimit", "limit=" + d.limit() + ", remaining=" + d.remaining() + ", reset=" + d.resetSeconds());
        headers.put("RateLimit-Limit", String.valueOf(d.limit()));
        headers.put("RateLimit-Remaining", String.valueOf(d.remaining()));
        headers.put("RateLimit-Reset", String.valueOf(d.resetSeconds()));
        if (limited) {
            headers.put("Retry-After", String.valueOf(d.resetSeconds()));
        }
        return headers;
    }
}
