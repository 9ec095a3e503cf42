package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Tick;
import io.incomeplatform.ingestion.repository.PriceHistoryRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The previous close of a tick (calculations.md): the daily close of the latest trading day before the
 * tick's exchange date, where a day's close is its bar's close, else its last tick. Looked up once per
 * (symbol, exchange date) for a whole batch and cached; an insert that could change an answer (a bar or
 * tick dated before a cached day) drops that symbol's affected entries.
 */
@ApplicationScoped
public class PreviousCloses {

    private record Key(String symbol, LocalDate day) {
    }

    private final PriceHistoryRepository history;
    private final ZoneId zone;
    private final int maxEntries;
    private final Map<Key, Optional<BigDecimal>> cache = new ConcurrentHashMap<>();

    public PreviousCloses(PriceHistoryRepository history, IngestionConfig config) {
        this.history = history;
        this.zone = ZoneId.of(config.calendar().timeZone());
        this.maxEntries = config.publish().previousCloseCacheSize();
    }

    public LocalDate exchangeDate(java.time.Instant ts) {
        long local = ts.getEpochSecond() + zone.getRules().getOffset(ts).getTotalSeconds();
        return LocalDate.ofEpochDay(Math.floorDiv(local, 86_400));
    }

    /** Previous close per (symbol, exchange date) of the given ticks; a missing entry means none is known. */
    public Uni<Map<String, Map<LocalDate, BigDecimal>>> forTicks(List<Tick> ticks) {
        Set<Key> wanted = new LinkedHashSet<>();
        for (Tick tick : ticks) {
            wanted.add(new Key(tick.symbol(), exchangeDate(tick.ts())));
        }
        List<Key> missing = new ArrayList<>();
        for (Key key : wanted) {
            if (!cache.containsKey(key)) {
                missing.add(key);
            }
        }
        Uni<Void> load = missing.isEmpty() ? Uni.createFrom().voidItem() : load(missing);
        return load.map(ignored -> {
            Map<String, Map<LocalDate, BigDecimal>> result = new HashMap<>();
            for (Key key : wanted) {
                Optional<BigDecimal> close = cache.get(key);
                if (close != null && close.isPresent()) {
                    result.computeIfAbsent(key.symbol(), s -> new HashMap<>()).put(key.day(), close.get());
                }
            }
            return result;
        });
    }

    private Uni<Void> load(List<Key> keys) {
        String[] symbols = new String[keys.size()];
        LocalDate[] days = new LocalDate[keys.size()];
        OffsetDateTime[] starts = new OffsetDateTime[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            symbols[i] = keys.get(i).symbol();
            days[i] = keys.get(i).day();
            starts[i] = days[i].atStartOfDay(zone).toOffsetDateTime();
        }
        return history.before(symbols, days, starts).invoke(rows -> {
            if (cache.size() + rows.size() > maxEntries) {
                cache.clear();
            }
            for (PriceHistoryRepository.Before row : rows) {
                cache.put(new Key(row.symbol(), row.day()), Optional.ofNullable(closeOf(row)));
            }
        }).replaceWithVoid();
    }

    private BigDecimal closeOf(PriceHistoryRepository.Before row) {
        LocalDate tickDay = row.tickTs() == null ? null : row.tickTs().atZoneSameInstant(zone).toLocalDate();
        if (row.barDate() == null) {
            return row.tickPrice();
        }
        if (tickDay != null && tickDay.isAfter(row.barDate())) {
            return row.tickPrice();
        }
        return row.barClose();
    }

    /** Data dated {@code day} was stored for symbol: answers cached for later days may have changed. */
    public void invalidateAfter(String symbol, LocalDate day) {
        cache.keySet().removeIf(key -> key.symbol().equals(symbol) && key.day().isAfter(day));
    }

    /** Same as {@link #invalidateAfter} for many (symbol, earliest date) pairs at once. */
    public void invalidateAfter(Map<String, LocalDate> earliestBySymbol) {
        if (earliestBySymbol.isEmpty() || cache.isEmpty()) {
            return;
        }
        cache.keySet().removeIf(key -> {
            LocalDate earliest = earliestBySymbol.get(key.symbol());
            return earliest != null && key.day().isAfter(earliest);
        });
    }
}
