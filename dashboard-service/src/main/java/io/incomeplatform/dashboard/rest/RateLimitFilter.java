package io.incomeplatform.dashboard.rest;

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

/**
 * Applies the per-user rate limits to /api/v1: any GET other than the dashboard is "read",
 * everything else is "write". GET /api/v1/dashboard ("dashboard") is counted by DashboardService in
 * the same Redis call as its cache read (one round trip), and DashboardResource adds its headers.
 * Every limited response carries the RateLimit headers ({@link RateLimiter.Decision#headers()}); past
 * the limit the answer is 429 with Retry-After. Unauthenticated calls are left to the security checks (401).
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
        boolean read = "GET".equals(method) || "HEAD".equals(method);
        if (read && path.equals("/api/v1/dashboard")) {
            return Uni.createFrom().nullItem();
        }
        RateLimiter.Operation operation = read ? RateLimiter.Operation.READ : RateLimiter.Operation.WRITE;
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
                        throw decision.tooManyRequests();
                    });
                });
    }

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(DECISION) instanceof RateLimiter.Decision decision && decision.allowed()) {
            decision.headers().forEach((name, value) -> response.getHeaders().putSingle(name, value));
        }
    }
}
