package io.incomeplatform.dashboard.rest;

import io.incomeplatform.dashboard.service.DashboardService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Arrays;
import java.util.UUID;

/**
 * GET /api/v1/dashboard: the five cards for the caller's portfolios (all, or the one named). Its rate
 * limit is counted by DashboardService in the cache read, so this adds the RateLimit headers itself.
 */
@Path("/api/v1/dashboard")
@RolesAllowed({"authenticated", "service_role"})
public class DashboardResource {

    @Inject
    CurrentUser user;
    @Inject
    DashboardService dashboards;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> dashboard(@QueryParam("portfolioId") String portfolioId, @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        UUID scope = portfolioId == null || portfolioId.isBlank() ? null : PortfolioResource.parseId(portfolioId, "Portfolio");
        return dashboards.dashboard(user.id(), scope).map(result -> {
            // The cached UTF-8 bytes go out as they are (no JSON writer): the body is final JSON already.
            Response.ResponseBuilder response = matches(ifNoneMatch, result.etag()) ? Response.notModified()
                    : Response.ok(result.json(), MediaType.APPLICATION_JSON_TYPE);
            response.header(HttpHeaders.ETAG, result.etag()).header(HttpHeaders.CACHE_CONTROL, "private, no-cache");
            result.rateLimit().headers().forEach(response::header);
            return response.build();
        });
    }

    /** If-None-Match: a list of (weak or strong) tags or *; compared weakly as RFC 9110 says for GET. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String opaque = etag.startsWith("W/") ? etag.substring(2) : etag;
        return Arrays.stream(ifNoneMatch.split(",")).map(String::trim)
                .anyMatch(tag -> tag.equals("*") || (tag.startsWith("W/") ? tag.substring(2) : tag).equals(opaque));
    }
}
