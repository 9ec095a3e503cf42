package io.incomeplatform.ingestion.rest;

import io.vertx.sqlclient.ClosedConnectionException;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseUnavailableMappingTest {

    private final ProblemExceptionMapper mapper = new ProblemExceptionMapper();

    @Test
    void shouldAnswer503WithRetryAfterWhenTheDatabaseRefusesConnections() {
        Response response = mapper.mapUnexpected(new CompletionException(new ConnectException("Connection refused")));

        assertEquals(503, response.getStatus());
        assertEquals("5", response.getHeaderString("Retry-After"));
        assertEquals("application/problem+json", response.getMediaType().toString());
    }

    @Test
    void shouldTreatADroppedConnectionAsUnavailable() {
        assertTrue(ProblemExceptionMapper.isDatabaseUnavailable(
                new RuntimeException("batch failed", ClosedConnectionException.INSTANCE)));
    }

    @Test
    void shouldAnswer500ForAnUnexpectedErrorThatIsNotAnOutage() {
        assertFalse(ProblemExceptionMapper.isDatabaseUnavailable(new IllegalStateException("bug")));
        assertEquals(500, mapper.mapUnexpected(new IllegalStateException("bug")).getStatus());
    }
}
