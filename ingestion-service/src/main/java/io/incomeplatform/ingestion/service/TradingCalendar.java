package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.repository.CalendarRepository;
import io.incomeplatform.ingestion.repository.CalendarRepository.Holiday;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When the exchange trades: weekdays, minus the closed days of raw.market_holidays, with early closes
 * ending the session at their close time. Holidays are held in memory (a few hundred rows), loaded at start
 * and refreshed daily.
 */
@ApplicationScoped
public class TradingCalendar {

    /** One trading session in exchange time. */
    public record Session(LocalDate date, ZonedDateTime open, ZonedDateTime close, boolean earlyClose) {
    }

    private final CalendarRepository repository;
    private final String exchange;
    private final ZoneId zone;
    private final LocalTime regularOpen;
    private final LocalTime regularClose;
    private volatile Map<LocalDate, Holiday> holidays = Map.of();

    public TradingCalendar(CalendarRepository repository, IngestionConfig config) {
        this.repository = repository;
        this.exchange = config.calendar().exchange();
        this.zone = ZoneId.of(config.calendar().timeZone());
        this.regularOpen = config.calendar().open();
        this.regularClose = config.calendar().close();
    }

    void onStart(@Observes StartupEvent event) {
        reload().await().atMost(Duration.ofSeconds(30));
    }

    @Scheduled(every = "24h", delayed = "24h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return reload();
    }

    public Uni<Void> reload() {
        return repository.holidays(exchange).invoke(rows -> {
            Map<LocalDate, Holiday> byDate = new HashMap<>();
            rows.forEach(h -> byDate.put(h.date(), h));
            holidays = Map.copyOf(byDate);
        }).replaceWithVoid();
    }

    public ZoneId zone() {
        return zone;
    }

    public Optional<Holiday> holiday(LocalDate date) {
        return Optional.ofNullable(holidays.get(date));
    }

    public boolean isTradingDay(LocalDate date) {
        DayOfWeek day = date.getDayOfWeek();
        if (day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY) {
            return false;
        }
        Holiday holiday = holidays.get(date);
        return holiday == null || !"closed".equals(holiday.kind());
    }

    public Optional<Session> session(LocalDate date) {
        if (!isTradingDay(date)) {
            return Optional.empty();
        }
        Holiday holiday = holidays.get(date);
        boolean early = holiday != null && holiday.closeTime() != null;
        LocalTime close = early ? holiday.closeTime() : regularClose;
        return Optional.of(new Session(date, date.atTime(regularOpen).atZone(zone), date.atTime(close).atZone(zone),
                early));
    }

    public boolean isOpen(Instant instant) {
        ZonedDateTime local = instant.atZone(zone);
        return session(local.toLocalDate())
                .map(s -> !local.isBefore(s.open()) && local.isBefore(s.close()))
                .orElse(false);
    }

    public LocalDate exchangeDate(Instant instant) {
        return instant.atZone(zone).toLocalDate();
    }

    /** The latest trading day whose session ended at least {@code delay} before {@code now}. */
    public LocalDate lastClosedTradingDay(Instant now, Duration delay) {
        LocalDate date = exchangeDate(now);
        for (int i = 0; i < 30; i++, date = date.minusDays(1)) {
            Optional<Session> session = session(date);
            if (session.isPresent() && !session.get().close().toInstant().plus(delay).isAfter(now)) {
                return date;
            }
        }
        throw new IllegalStateException("no trading day in the 30 days before " + now);
    }

    /** Trading days in [from, to]. */
    public List<LocalDate> tradingDays(LocalDate from, LocalDate to) {
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            if (isTradingDay(d)) {
                days.add(d);
            }
        }
        return days;
    }

    public LocalDate previousTradingDay(LocalDate date) {
        LocalDate d = date.minusDays(1);
        while (!isTradingDay(d)) {
            d = d.minusDays(1);
        }
        return d;
    }
}
