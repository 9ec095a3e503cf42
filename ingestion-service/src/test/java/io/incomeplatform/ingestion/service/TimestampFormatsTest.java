package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.messaging.PublishedTick;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TimestampFormatsTest {

    @Test
    void shouldReadTheCommonUtcFormsWithoutTheGeneralParser() {
        assertEquals(Instant.parse("2026-11-20T15:30:00Z"), RecordValidator.parseUtc("2026-11-20T15:30:00Z"));
        // ".5" is half a second; nine digits are nanoseconds
        assertEquals(Instant.parse("2026-11-20T15:30:00.500Z"), RecordValidator.parseUtc("2026-11-20T15:30:00.5Z"));
        assertEquals(Instant.parse("2024-02-29T23:59:59.123456789Z"),
                RecordValidator.parseUtc("2024-02-29T23:59:59.123456789Z"));
    }

    @Test
    void shouldLeaveEverythingElseToTheGeneralParser() {
        assertNull(RecordValidator.parseUtc("2026-02-30T00:00:00Z"));
        assertNull(RecordValidator.parseUtc("2026-11-20T24:00:00Z"));
        assertNull(RecordValidator.parseUtc("2026-11-20T15:30:00+01:00"));
        assertNull(RecordValidator.parseUtc("2026-11-20T15:30:00.Z"));
        assertNull(RecordValidator.parseUtc("2026-11-2OT15:30:00Z"));
    }

    @Test
    void shouldPublishTimestampsWithFixedMillisecondWidth() {
        PublishedTick tick = new PublishedTick("KO", BigDecimal.TEN, null, null, Instant.parse("2026-01-02T03:04:05.06Z"), "x");
        assertEquals("2026-01-02T03:04:05.060Z", tick.tsText());
        PublishedTick whole = new PublishedTick("KO", BigDecimal.TEN, null, null, Instant.parse("2026-11-20T15:30:00Z"), "x");
        assertEquals("2026-11-20T15:30:00.000Z", whole.tsText());
    }
}
