package io.incomeplatform.dashboard.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client error the service detected itself (unknown portfolio, invalid fields, selling more than
 * held, rate limit). The exception mapper writes it as application/problem+json with its extra
 * members (for example {@code errors} or {@code heldShares}) and headers.
 */
public class ApiProblem extends RuntimeException {

    public record FieldError(String field, String message) {
    }

    private final int status;
    private final String title;
    private final Map<String, Object> extensions;
    private final Map<String, String> headers;

    public ApiProblem(int status, String title, String detail, Map<String, Object> extensions, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.extensions = extensions;
        this.headers = headers;
    }

    public static ApiProblem notFound(String what) {
        return new ApiProblem(404, "Not Found", what + " was not found.", Map.of(), Map.of());
    }

    public static ApiProblem invalid(List<FieldError> errors) {
        return new ApiProblem(400, "Validation failed", "The request has invalid fields.", Map.of("errors", errors), Map.of());
    }

    public static ApiProblem invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiProblem unprocessable(String detail, Map<String, Object> extensions) {
        return new ApiProblem(422, "Unprocessable Content", detail, new LinkedHashMap<>(extensions), Map.of());
    }

    /** The same problem with more headers (for example the rate-limit headers of the request it answers). */
    public ApiProblem withHeaders(Map<String, String> more) {
        if (more.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new LinkedHashMap<>(more);
        merged.putAll(headers);
        return new ApiProblem(status, title, getMessage(), extensions, merged);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
