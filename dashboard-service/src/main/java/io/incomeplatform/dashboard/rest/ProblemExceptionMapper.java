package io.incomeplatform.dashboard.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.incomeplatform.dashboard.service.ApiProblem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service's one exception mapper: every error leaves as application/problem+json (RFC 9457).
 * Client errors say what was wrong; anything unexpected is logged here and answered with a
 * generic 500 so no internals (stack traces, SQL, class names) reach the caller.
 */
public class ProblemExceptionMapper {

    public static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = Logger.getLogger(ProblemExceptionMapper.class);

    @ServerExceptionMapper
    public Response mapConstraintViolation(ConstraintViolationException e) {
        List<Map<String, String>> errors = e.getConstraintViolations().stream()
                .map(v -> Map.of("field", leafName(v.getPropertyPath().toString()), "message", v.getMessage()))
                .toList();
        Map<String, Object> body = problem(400, "Validation failed", "The request has invalid fields.");
        body.put("errors", errors);
        return respond(400, body);
    }

    @ServerExceptionMapper
    public Response mapApiProblem(ApiProblem e) {
        Map<String, Object> body = problem(e.status(), e.title(), e.getMessage());
        body.putAll(e.extensions());
        Response.ResponseBuilder response = Response.status(e.status()).type(PROBLEM_JSON).entity(body);
        e.headers().forEach(response::header);
        return response.build();
    }

    // MismatchedInputException (a value of the wrong type) is named too: quarkus-rest-jackson has a
    // built-in mapper for it that would otherwise win and answer a bare 400 without problem+json.
    @ServerExceptionMapper({JsonProcessingException.class, MismatchedInputException.class})
    public Response mapUnreadableJson(Exception e) {
        return respond(400, problem(400, "Malformed request body", "The body is not valid JSON for this endpoint."));
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response mapUnauthenticated(RuntimeException e) {
        return Response.status(401)
                .header("WWW-Authenticate", "Bearer")
                .type(PROBLEM_JSON)
                .entity(problem(401, "Unauthorized", "A valid bearer token is required."))
                .build();
    }

    @ServerExceptionMapper
    public Response mapForbidden(ForbiddenException e) {
        return respond(403, problem(403, "Forbidden", "Your role may not call this endpoint."));
    }

    @ServerExceptionMapper
    public Response mapWebApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("Request failed", e);
            return respond(status, problem(status, "Server error", "The request could not be completed."));
        }
        String title = e.getResponse().getStatusInfo().getReasonPhrase();
        return respond(status, problem(status, title, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response mapUnexpected(Exception e) {
        LOG.error("Unexpected error", e);
        return respond(500, problem(500, "Internal error", "The request could not be completed."));
    }

    public static Map<String, Object> problem(int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        return body;
    }

    private static Response respond(int status, Map<String, Object> body) {
        return Response.status(status).type(PROBLEM_JSON).entity(body).build();
    }

    private static String leafName(String propertyPath) {
        int dot = propertyPath.lastIndexOf('.');
        return dot < 0 ? propertyPath : propertyPath.substring(dot + 1);
    }
}
