package io.incomeplatform.realtime.messaging;

import io.incomeplatform.realtime.service.PriceUpdate;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TickParserTest {

    private final TickParser parser = new TickParser();

    @Test
    void shouldKeepOnlyTheClientFieldsWithTheExactDecimalsPublished() {
        TickParser.Batch batch = parser.parseBatch("{\"ticks\":[{\"symbol\":\"AAPL\",\"price\":189.50,\"previousClose\":187.00,"
                + "\"change\":2.50,\"changeRatio\":0.013369,\"volume\":1200,\"ts\":\"2026-11-20T15:30:00Z\",\"source\":\"iex\"}]}");
        assertEquals(0, batch.rejected());
        PriceUpdate update = batch.updates().get(0);
        assertEquals("AAPL", update.symbol());
        assertEquals(Instant.parse("2026-11-20T15:30:00Z").toEpochMilli(), update.tsEpochMillis());
        assertEquals("{\"symbol\":\"AAPL\",\"price\":189.50,\"change\":2.50,\"changeRatio\":0.013369,\"volume\":1200,"
                + "\"ts\":\"2026-11-20T15:30:00Z\",\"source\":\"iex\"}", update.json());
    }

    @Test
    void shouldWriteNullForOptionalFieldsThePublisherLeftOut() {
        PriceUpdate update = parser.parseTick("{\"symbol\":\"MSFT\",\"price\":410,\"ts\":\"2026-11-20T15:30:00Z\"}").orElseThrow();
        assertEquals("{\"symbol\":\"MSFT\",\"price\":410,\"change\":null,\"changeRatio\":null,\"volume\":null,"
                + "\"ts\":\"2026-11-20T15:30:00Z\",\"source\":null}", update.json());
    }

    @Test
    void shouldSkipBrokenTicksAndKeepTheValidOnes() {
        TickParser.Batch batch = parser.parseBatch("{\"ticks\":["
                + "{\"symbol\":\"OK\",\"price\":1.5,\"ts\":\"2026-11-20T15:30:00Z\"},"
                + "{\"price\":1.5,\"ts\":\"2026-11-20T15:30:00Z\"},"          // no symbol
                + "{\"symbol\":\"X\",\"price\":\"1.5\",\"ts\":\"2026-11-20T15:30:00Z\"}," // price as text
                + "{\"symbol\":\"Y\",\"price\":1.5,\"ts\":\"yesterday\"},"      // unreadable time
                + "{\"symbol\":\"Z\",\"price\":1.5}"                            // no time
                + "]}");
        assertEquals(1, batch.updates().size());
        assertEquals("OK", batch.updates().get(0).symbol());
        assertEquals(4, batch.rejected());
    }

    @Test
    void shouldRejectAMessageThatIsNotATickBatch() {
        assertEquals(1, parser.parseBatch("not json").rejected());
        assertEquals(1, parser.parseBatch("{\"ticks\":{}}").rejected());
        assertTrue(parser.parseBatch("{\"ticks\":[]}").updates().isEmpty());
        assertTrue(parser.parseTick("[]").isEmpty());
    }
}
