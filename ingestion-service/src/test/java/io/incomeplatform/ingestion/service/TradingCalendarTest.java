package io.incomeplatform.ingestion.service;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class TradingCalendarTest {

    @Inject
    TradingCalendar calendar;

    @Test
    void shouldCloseTheFridayBeforeASaturdayHoliday() {
        // 2026-07-04 is a Saturday: Independence Day is observed on Friday 2026-07-03
        assertFalse(calendar.isTradingDay(LocalDate.parse("2026-07-03")));
        assertTrue(calendar.isTradingDay(LocalDate.parse("2026-07-02")));
        // 2027-12-25 is a Saturday: Christmas is observed on Friday 2027-12-24
        assertFalse(calendar.isTradingDay(LocalDate.parse("2027-12-24")));
    }

    @Test
    void shouldStayOpenOnDecember31WhenNewYearsDayIsASaturday() {
        // 2022-01-01 and 2028-01-01 are Saturdays: no holiday is observed, the Friday before trades
        assertTrue(calendar.isTradingDay(LocalDate.parse("2021-12-31")));
        assertTrue(calendar.isTradingDay(LocalDate.parse("2027-12-31")));
    }

    @Test
    void shouldCloseTheMondayAfterASundayHoliday() {
        // 2022-12-25 is a Sunday: observed Monday 2022-12-26; 2021-07-04 Sunday: Monday 2021-07-05
        assertFalse(calendar.isTradingDay(LocalDate.parse("2022-12-26")));
        assertFalse(calendar.isTradingDay(LocalDate.parse("2021-07-05")));
    }

    @Test
    void shouldEndTheSessionAt13OnAnEarlyClose() {
        // 2026-11-27, the day after Thanksgiving: 13:00 New York = 18:00 UTC (EST, UTC-5)
        TradingCalendar.Session session = calendar.session(LocalDate.parse("2026-11-27")).orElseThrow();
        assertTrue(session.earlyClose());
        assertEquals(LocalTime.of(13, 0), session.close().toLocalTime());
        assertTrue(calendar.isOpen(Instant.parse("2026-11-27T17:59:00Z")));
        assertFalse(calendar.isOpen(Instant.parse("2026-11-27T18:00:00Z")));
        // a regular day closes at 16:00 = 21:00 UTC
        assertTrue(calendar.isOpen(Instant.parse("2026-11-24T20:59:00Z")));
        assertFalse(calendar.isOpen(Instant.parse("2026-11-24T21:00:00Z")));
        // opens at 09:30 = 14:30 UTC
        assertFalse(calendar.isOpen(Instant.parse("2026-11-24T14:29:59Z")));
    }

    @Test
    void shouldFindTheLastClosedSessionAcrossAHoliday() {
        Duration delay = Duration.ofMinutes(20);
        // 18:30 UTC on 2026-11-27: the early close (18:00) plus 20 minutes has passed
        assertEquals(LocalDate.parse("2026-11-27"), calendar.lastClosedTradingDay(Instant.parse("2026-11-27T18:30:00Z"), delay));
        // 18:10 UTC: not yet; Thursday 11-26 is Thanksgiving, so the last closed session is Wednesday 11-25
        assertEquals(LocalDate.parse("2026-11-25"), calendar.lastClosedTradingDay(Instant.parse("2026-11-27T18:10:00Z"), delay));
        // trading days of Thanksgiving week: Mon 23, Tue 24, Wed 25, Fri 27
        assertEquals(4, calendar.tradingDays(LocalDate.parse("2026-11-23"), LocalDate.parse("2026-11-29")).size());
    }
}
