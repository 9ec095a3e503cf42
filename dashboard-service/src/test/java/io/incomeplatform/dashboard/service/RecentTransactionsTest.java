package io.incomeplatform.dashboard.service;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecentTransactionsTest {

    private static LedgerEntry entry(int id, String date, String createdAt) {
        return new LedgerEntry(new UUID(0, id), new UUID(0, 100), LedgerEntry.BUY, "ABC", LocalDate.parse(date),
                BigDecimal.ONE, BigDecimal.TEN, BigDecimal.ZERO, Instant.parse(createdAt));
    }

    private static List<Long> ids(List<LedgerEntry> entries) {
        return entries.stream().map(e -> e.id().getLeastSignificantBits()).toList();
    }

    @Test
    void shouldPickTheNewestByTradeDateThenCreationThenId() {
        List<LedgerEntry> ledger = List.of(
                entry(1, "2026-01-05", "2026-01-05T10:00:00Z"),
                entry(2, "2026-03-01", "2026-03-01T09:00:00Z"),
                entry(3, "2026-03-01", "2026-03-02T09:00:00Z"), // same trade date as 2, created later
                entry(4, "2025-12-31", "2026-06-01T00:00:00Z"), // entered late, traded earliest
                entry(6, "2026-02-01", "2026-02-01T00:00:00Z"),
                entry(5, "2026-02-01", "2026-02-01T00:00:00Z")); // same date and creation as 6, lower id
        assertEquals(List.of(3L, 2L, 6L), ids(Holdings.newest(ledger, 3)));
        assertEquals(List.of(3L, 2L, 6L, 5L, 1L, 4L), ids(Holdings.newest(ledger, 10)));
    }

    @Test
    void shouldKeepOnlyTheTenNewestOfALongLedgerWhateverItsOrder() {
        List<LedgerEntry> ledger = new ArrayList<>();
        // Day d of 2026 for d = 1..40, added in a scrambled order (7 and 40 share no factor): ids 40..31 are the newest.
        for (int i = 0; i < 40; i++) {
            int day = (i * 7) % 40 + 1;
            ledger.add(entry(day, LocalDate.of(2026, 1, 1).plusDays(day - 1).toString(), "2026-03-01T00:00:00Z"));
        }
        assertEquals(List.of(40L, 39L, 38L, 37L, 36L, 35L, 34L, 33L, 32L, 31L), ids(Holdings.newest(ledger, 10)));
        assertEquals(List.of(), ids(Holdings.newest(List.of(), 10)));
    }
}
