package io.incomeplatform.dashboard.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.dashboard.service.ApiProblem;
import io.incomeplatform.dashboard.service.DashboardCache;
import io.incomeplatform.dashboard.service.DashboardService;
import io.incomeplatform.dashboard.service.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * GET /api/v1/dashboard answered on the event loop, before Quarkus REST, for a token {@link CachingJwtParser}
 * verified earlier (not expired) with a role DashboardResource allows, a well-formed scope and a JSON Accept.
 * A hit is sent from memory when a fresh in-memory dashboard the invalidation events keep current and,
 * with rate limits on, a window this replica counts with room left are there: it then costs none of the
 * framework's per-request layers (REST context, security identity, Mutiny, context propagation, ArC: about
 * 40 % of a hit's CPU samples). Everything else for such a caller (a miss, stale, a window Redis must count,
 * past the limit, another user's portfolio, 503) is DashboardService's answer, written here as
 * DashboardResource and ProblemExceptionMapper would. Other requests (first call with a token, another role,
 * an odd Accept or query) go on to DashboardResource unchanged. The response is the one DashboardResource
 * sends: same body, ETag/304, Cache-Control, RateLimit headers, counters; the HTTP timer sees the same URI.
 */
@ApplicationScoped
public class DashboardHitRoute {

    static final String PATH = "/api/v1/dashboard";
    private static final String BEARER = "Bearer ";
    private static final String PORTFOLIO_QUERY = "portfolioId=";
    /** DashboardResource's @RolesAllowed. */
    private static final Set<String> ALLOWED_ROLES = Set.of("authenticated", "service_role");
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("private, no-cache");
    private static final CharSequence PROBLEM_JSON = HttpHeaders.createOptimized(ProblemExceptionMapper.PROBLEM_JSON);
    private static final Logger LOG = Logger.getLogger(DashboardHitRoute.class);

    @Inject
    CachingJwtParser tokens;
    @Inject
    DashboardCache cache;
    @Inject
    RateLimiter limiter;
    @Inject
    MeterRegistry registry;
    @Inject
    DashboardService dashboards;
    @Inject
    ObjectMapper json;

    private Counter hits;

    void register(@Observes Router router) {
        // Before Quarkus REST's route; after the routes that record the start time, metrics and access log.
        router.route(HttpMethod.GET, PATH).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
        hits = registry.counter("dashboard_cache_requests_total", "status", "hit");
    }

    void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith(BEARER) || !acceptsJson(request)) {
            context.next();
            return;
        }
        CachingJwtParser.Verified token = tokens.verifiedEarlier(authorization.substring(BEARER.length()));
        UUID user = token == null ? null : token.userId();
        String scope = scope(request.query());
        if (user == null || !allowed(token.groups()) || scope == null) {
            context.next();
            return;
        }
        if (!answerFromMemory(context, user, scope)) {
            answerFromService(context, user, scope);
        }
    }

    /**
     * Anything else for this caller (a miss, a window Redis counts, past the limit, stale, an unknown
     * portfolio, 503) is what DashboardResource would do, without the REST layers: DashboardService's
     * result, or its problem written as ProblemExceptionMapper writes it.
     */
    private void answerFromService(RoutingContext context, UUID user, String scope) {
        UUID portfolioId = "all".equals(scope) ? null : UUID.fromString(scope);
        // Deferred: anything the service throws before its Uni exists is a failure too (a 500 problem, as the mapper's).
        Uni.createFrom().deferred(() -> dashboards.dashboard(user, portfolioId)).subscribe().with(result -> {
            HttpServerResponse response = context.response();
            if (response.closed()) {
                return;
            }
            MultiMap headers = response.headers();
            headers.add(HttpHeaders.ETAG, result.etag());
            headers.add(HttpHeaders.CACHE_CONTROL, NO_CACHE);
            result.rateLimit().forEachHeader(headers::add);
            if (DashboardResource.matches(context.request().getHeader(HttpHeaders.IF_NONE_MATCH), result.etag())) {
                response.setStatusCode(304).end();
            } else {
                headers.add(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
                response.end(Buffer.buffer(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(result.body(), 0, result.bodyLength()),
                        Unpooled.wrappedBuffer(result.tail()))));
            }
        }, failure -> problem(context, failure));
    }

    private void problem(RoutingContext context, Throwable failure) {
        HttpServerResponse response = context.response();
        if (response.closed()) {
            return;
        }
        Map<String, Object> body;
        int status;
        if (failure instanceof ApiProblem problem) {
            status = problem.status();
            body = ProblemExceptionMapper.problem(status, problem.title(), problem.getMessage());
            body.putAll(problem.extensions());
            problem.headers().forEach(response.headers()::add);
        } else {
            LOG.error("Unexpected error", failure);
            status = 500;
            body = ProblemExceptionMapper.problem(500, "Internal error", "The request could not be completed.");
        }
        try {
            byte[] json = this.json.writeValueAsBytes(body);
            response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON).end(Buffer.buffer(Unpooled.wrappedBuffer(json)));
        } catch (JsonProcessingException e) {
            LOG.error("Could not write a problem", e);
            response.setStatusCode(500).end();
        }
    }

    /** True when it answered; false, with nothing counted or written, when the service must. */
    private boolean answerFromMemory(RoutingContext context, UUID user, String scope) {
        HttpServerRequest request = context.request();
        DashboardCache.Entry entry = cache.freshInMemory(user, scope);
        if (entry == null) {
            return false;
        }
        RateLimiter.Decision decision = RateLimiter.Decision.UNLIMITED;
        RateLimiter.Window window = limiter.window(user.toString(), RateLimiter.Operation.DASHBOARD);
        if (window != null) {
            long count = limiter.countLocallyWithinLimit(window);
            if (count < 0) {
                return false;
            }
            decision = limiter.decide(window, count);
        }
        hits.increment();
        HttpServerResponse response = context.response();
        MultiMap headers = response.headers();
        headers.add(HttpHeaders.ETAG, entry.etag());
        headers.add(HttpHeaders.CACHE_CONTROL, NO_CACHE);
        decision.forEachHeader(headers::add);
        if (DashboardResource.matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), entry.etag())) {
            response.setStatusCode(304).end();
        } else {
            headers.add(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
            // Wrapped, not copied: the entry's direct buffer goes to the socket as it is.
            response.end(Buffer.buffer(Unpooled.wrappedBuffer(entry.hit().direct())));
        }
        return true;
    }

    /** No Accept header, or one naming JSON or anything: the cases where DashboardResource answers JSON for sure. */
    private static boolean acceptsJson(HttpServerRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return accept == null || accept.equals("*/*") || accept.equals("application/json");
    }

    private static boolean allowed(Set<String> groups) {
        for (String group : groups) {
            if (ALLOWED_ROLES.contains(group)) {
                return true;
            }
        }
        return false;
    }

    /** "all" without a query, the portfolio for exactly ?portfolioId=uuid; null for anything else. */
    private static String scope(String query) {
        if (query == null || query.isEmpty()) {
            return "all";
        }
        if (!query.startsWith(PORTFOLIO_QUERY)) {
            return null;
        }
        UUID portfolio = uuid(query.substring(PORTFOLIO_QUERY.length()));
        return portfolio == null ? null : portfolio.toString();
    }

    private static UUID uuid(String text) {
        if (text == null || text.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
