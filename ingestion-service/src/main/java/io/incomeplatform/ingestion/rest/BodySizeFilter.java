package io.incomeplatform.ingestion.rest;

import io.incomeplatform.ingestion.config.IngestionConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a body larger than ingestion.limits.max-body-bytes with a 413 problem before it is read
 * (quarkus.http.limits.max-body-size stays the hard stop for bodies sent without a length).
 */
public class BodySizeFilter {

    private final long maxBodyBytes;

    public BodySizeFilter(IngestionConfig config) {
        this.maxBodyBytes = config.limits().maxBodyBytes();
    }

    @ServerRequestFilter(preMatching = true)
    public Response checkLength(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return null;
        }
        long bytes;
        try {
            bytes = Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return ProblemExceptionMapper.respond(400, ProblemExceptionMapper.problem(400, "Bad Request",
                    "The Content-Length header is not a number."));
        }
        if (bytes > maxBodyBytes) {
            return ProblemExceptionMapper.respond(413, ProblemExceptionMapper.problem(413, "Content Too Large",
                    "The body has " + bytes + " bytes; at most " + maxBodyBytes + " are accepted. Send smaller batches."));
        }
        return null;
    }
}
