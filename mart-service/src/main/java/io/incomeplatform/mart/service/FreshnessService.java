package io.incomeplatform.mart.service;

import io.incomeplatform.mart.config.MartConfig;
import io.incomeplatform.mart.repository.MartRepository;
import io.incomeplatform.mart.repository.ServingRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Freshness of every mart: its age since the last sync, and how many NYSE trading days its as-of date
 * lags the last completed session (weekends and raw.market_holidays closures do not count), plus the
 * serving side's size against its budget.
 */
@ApplicationScoped
public class FreshnessService {

    static final ZoneId EXCHANGE_ZONE = ZoneId.of("America/New_York");
    static final LocalTime SESSION_CLOSE = LocalTime.of(16, 0);

    public record MartFreshness(String name, Long rows, Long sizeBytes, Long servingSizeBytes, OffsetDateTime lastRefresh,
                                Long lastRefreshDurationMs, OffsetDateTime lastSync, LocalDate asOf, Long ageSeconds,
                                Integer tradingDaysBehind, boolean stale) {
    }

    public record Report(List<MartFreshness> marts, long servingSizeBytes, long servingSizeBudgetBytes,
                         boolean overBudget, LocalDate lastCompletedTradingDay, boolean refreshRunning) {
    }

    private final MartConfig config;
    private final MartRepository marts;
    private final ServingRepository serving;
    private final MartMetrics metrics;
    private final RefreshService refresh;
    private final Pool processing;
    Clock clock = Clock.systemUTC();

    public FreshnessService(MartConfig config, MartRepository marts, ServingRepository serving, MartMetrics metrics,
                            RefreshService refresh, Pool processing) {
        this.config = config;
        this.marts = marts;
        this.serving = serving;
        this.metrics = metrics;
        this.refresh = refresh;
        this.processing = processing;
    }

    public Uni<Report> report() {
        ZonedDateTime now = ZonedDateTime.now(clock).withZoneSameInstant(EXCHANGE_ZONE);
        return Uni.combine().all().unis(marts.martStates(), serving.statuses(), serving.tableSizes(), closures(now.toLocalDate()))
                .asTuple().map(t -> {
                    Set<LocalDate> closed = t.getItem4();
                    LocalDate lastSession = lastCompletedTradingDay(now, closed);
                    Map<String, ServingRepository.Status> synced = t.getItem2();
                    Map<String, Long> sizes = t.getItem3();
                    List<MartFreshness> list = new ArrayList<>();
                    for (MartRepository.MartState state : t.getItem1()) {
                        ServingRepository.Status status = synced.get(state.name());
                        if (status != null && status.syncedAt() != null) {
                            metrics.knownSync(state.name(), status.syncedAt().toInstant());
                        }
                        Long age = status == null || status.syncedAt() == null ? null
                                : Duration.between(status.syncedAt().toInstant(), now.toInstant()).toSeconds();
                        Integer behind = status == null || status.asOf() == null ? null
                                : tradingDaysBetween(status.asOf(), lastSession, closed);
                        boolean stale = age == null || age > config.freshness().maxSyncAge().toSeconds()
                                || (behind != null && behind > config.freshness().maxTradingDaysBehind());
                        list.add(new MartFreshness(state.name(), status == null ? state.rows() : Long.valueOf(status.rows()),
                                state.sizeBytes(), sizes.get(state.name()), state.lastRefreshAt(), state.lastRefreshMs(),
                                status == null ? null : status.syncedAt(), status == null ? null : status.asOf(), age, behind, stale));
                    }
                    long total = sizes.values().stream().mapToLong(Long::longValue).sum();
                    long budget = config.freshness().servingSizeBudgetBytes();
                    return new Report(list, total, budget, total > budget, lastSession, refresh.isRunning());
                });
    }

    /** NYSE full closures from a month back (raw.market_holidays, seeded by ingestion-service). */
    private Uni<Set<LocalDate>> closures(LocalDate today) {
        return processing.preparedQuery("""
                        SELECT date FROM raw.market_holidays
                        WHERE exchange = 'NYSE' AND kind = 'closed' AND date BETWEEN $1 AND $2""")
                .execute(Tuple.of(today.minusDays(400), today))
                .map(rs -> {
                    Set<LocalDate> dates = new HashSet<>();
                    for (Row row : rs) {
                        dates.add(row.getLocalDate("date"));
                    }
                    return dates;
                })
                // Without the calendar (raw not migrated yet) weekends are still skipped.
                .onFailure().recoverWithItem(Set.of());
    }

    static boolean isTradingDay(LocalDate date, Set<LocalDate> closed) {
        return date.getDayOfWeek() != DayOfWeek.SATURDAY && date.getDayOfWeek() != DayOfWeek.SUNDAY && !closed.contains(date);
    }

    /** Today once its session has closed (16:00 New York), else the trading day before. */
    static LocalDate lastCompletedTradingDay(ZonedDateTime nowInExchangeZone, Set<LocalDate> closed) {
        LocalDate day = nowInExchangeZone.toLocalTime().isBefore(SESSION_CLOSE)
                ? nowInExchangeZone.toLocalDate().minusDays(1) : nowInExchangeZone.toLocalDate();
        while (!isTradingDay(day, closed)) {
            day = day.minusDays(1);
        }
        return day;
    }

    /** Trading days in (from, to]; 0 when from is on or after to. */
    static int tradingDaysBetween(LocalDate from, LocalDate to, Set<LocalDate> closed) {
        int n = 0;
        for (LocalDate d = from.plusDays(1); !d.isAfter(to); d = d.plusDays(1)) {
            if (isTradingDay(d, closed)) {
                n++;
            }
        }
        return n;
    }
}
