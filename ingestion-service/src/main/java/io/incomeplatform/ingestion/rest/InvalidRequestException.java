package io.incomeplatform.ingestion.rest;

import java.util.List;
import java.util.Map;

/** A request whose fields break rules Bean Validation cannot express: a 400 with the field errors. */
public class InvalidRequestException extends RuntimeException {

    private final List<Map<String, String>> errors;

    public InvalidRequestException(List<Map<String, String>> errors) {
        super("invalid request", null, false, false);
        this.errors = errors;
    }

    public static InvalidRequestException of(String field, String message) {
        return new InvalidRequestException(List.of(Map.of("field", field, "message", message)));
    }

    public List<Map<String, String>> errors() {
        return errors;
    }
}
