package io.incomeplatform.mart.service;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The weekend- and holiday-aware trading calendar behind the freshness thresholds. */
class FreshnessCalendarTest {

    static final Set<LocalDate> THANKSGIVING_2026 = Set.of(LocalDate.of(2026, 11, 26));

    private static ZonedDateTime newYork(String localDateTime) {
        return ZonedDateTime.parse(localDateTime + "-05:00[America/New_York]");
    }

    @Test
    void shouldTakeFridayAsTheLastSessionOnAWeekend() {
        assertEquals(LocalDate.of(2026, 11, 20),
                FreshnessService.lastCompletedTradingDay(newYork("2026-11-22T12:00:00"), Set.of()));
    }

    @Test
    void shouldTakeTheDayBeforeUntilTodaysSessionCloses() {
        // Monday 10:00: Friday is the last completed session; Monday 16:30: Monday is.
        assertEquals(LocalDate.of(2026, 11, 20), FreshnessService.lastCompletedTradingDay(newYork("2026-11-23T10:00:00"), Set.of()));
        assertEquals(LocalDate.of(2026, 11, 23), FreshnessService.lastCompletedTradingDay(newYork("2026-11-23T16:30:00"), Set.of()));
    }

    @Test
    void shouldSkipExchangeHolidays() {
        // Friday after Thanksgiving, 10:00: Thursday was closed, so Wednesday 11-25.
        assertEquals(LocalDate.of(2026, 11, 25),
                FreshnessService.lastCompletedTradingDay(newYork("2026-11-27T10:00:00"), THANKSGIVING_2026));
    }

    @Test
    void shouldCountOnlyTradingDaysBehind() {
        // Friday 11-20 -> Monday 11-23: one trading day; Wednesday 11-25 -> Monday 11-30 over Thanksgiving: 27th and 30th.
        assertEquals(1, FreshnessService.tradingDaysBetween(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 11, 23), Set.of()));
        assertEquals(2, FreshnessService.tradingDaysBetween(LocalDate.of(2026, 11, 25), LocalDate.of(2026, 11, 30), THANKSGIVING_2026));
        assertEquals(0, FreshnessService.tradingDaysBetween(LocalDate.of(2026, 11, 23), LocalDate.of(2026, 11, 20), Set.of()));
    }
}
