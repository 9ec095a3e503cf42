package io.incomeplatform.dashboard.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.dashboard.config.DashboardConfig;
import io.incomeplatform.dashboard.repository.MarketRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Market reads (contract: stock, screener, dividend calendar, treemap, ETF holdings): validates the
 * query, then answers from a short-lived Redis copy or the serving marts. Market marts change only
 * when mart-service syncs, so a TTL of seconds keeps them fresh enough; a Redis failure just skips
 * the cache.
 */
@ApplicationScoped
public class MarketService {

    /** Screener sort names the client may use, and their columns (anything else is a 400). */
    static final Map<String, String> SORTS = Map.of(
            "ttmYield", "ttm_yield", "forwardYield", "forward_yield", "marketCap", "market_cap",
            "change1y", "change_1y", "price", "price", "symbol", "symbol", "name", "name");
    static final Set<String> PERIODS = Set.of("3m", "6m", "1y", "2y", "5y", "max");
    static final Set<Integer> FREQUENCIES = Set.of(52, 12, 4, 2, 1);
    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9][A-Z0-9.\\-]{0,19}");
    private static final String CACHE_PREFIX = "income:market-cache:";
    private static final int MAX_CALENDAR_SYMBOLS = 100;

    @Inject
    MarketRepository market;
    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    DashboardConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    MeterRegistry registry;

    /** Bytes, not String: a hit sends the stored UTF-8 JSON as is, with no decoding or encoding. */
    private ReactiveValueCommands<String, byte[]> values;
    /** This replica's recent market reads, each until its expiry (System.nanoTime). */
    private Map<String, LocalCopy> local;
    /** Looked up once: registry.counter(name, tags) builds its id and tags on every call, garbage on every hit. */
    private Counter hits;
    private Counter misses;

    private record LocalCopy(byte[] body, long expiresAtNanos) {
    }

    @PostConstruct
    void init() {
        values = redis.value(String.class, byte[].class);
        local = LruMap.withCapacity(config.cache().marketLocalEntries());
        hits = registry.counter("dashboard_market_cache_requests_total", "status", "hit");
        misses = registry.counter("dashboard_market_cache_requests_total", "status", "miss");
    }

    public Uni<byte[]> stock(String rawSymbol) {
        String symbol = symbol(rawSymbol);
        return cached("stock:" + symbol, () -> market.stock(symbol)
                .onItem().ifNull().failWith(() -> ApiProblem.notFound("Symbol " + symbol)));
    }

    public Uni<byte[]> screener(String minYield, String maxYield, String sector, String assetType, String frequency, String sort, String limit) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        BigDecimal min = decimal("minYield", minYield, errors);
        BigDecimal max = decimal("maxYield", maxYield, errors);
        if (min != null && max != null && min.compareTo(max) > 0) {
            errors.add(new ApiProblem.FieldError("maxYield", "must not be below minYield"));
        }
        Integer freq = integer("frequency", frequency, errors);
        if (freq != null && !FREQUENCIES.contains(freq)) {
            errors.add(new ApiProblem.FieldError("frequency", "must be one of 52, 12, 4, 2, 1"));
        }
        String sortName = sort == null || sort.isBlank() ? "-ttmYield" : sort.trim();
        boolean descending = sortName.startsWith("-");
        String column = SORTS.get(descending ? sortName.substring(1) : sortName);
        if (column == null) {
            errors.add(new ApiProblem.FieldError("sort", "must be one of " + String.join(", ", SORTS.keySet().stream().sorted().toList())
                    + ", optionally prefixed by - for descending"));
        }
        Integer requestedLimit = integer("limit", limit, errors);
        if (requestedLimit != null && requestedLimit < 1) {
            errors.add(new ApiProblem.FieldError("limit", "must be at least 1"));
        }
        String sectorFilter = text("sector", sector, errors);
        String typeFilter = text("assetType", assetType, errors);
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiProblem.invalid(errors));
        }
        // The limit is capped rather than refused: the response says which limit applied.
        int effectiveLimit = Math.min(requestedLimit == null ? config.market().screenerDefaultLimit() : requestedLimit,
                config.market().screenerMaxLimit());
        MarketRepository.ScreenerQuery query = new MarketRepository.ScreenerQuery(min, max, sectorFilter,
                typeFilter == null ? null : typeFilter.toLowerCase(Locale.ROOT), freq, column, descending, effectiveLimit);
        return cached("screener:" + query, () -> market.screener(query).map(results -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("results", results);
            body.put("sort", sortName);
            body.put("limit", effectiveLimit);
            return body;
        }));
    }

    public Uni<byte[]> calendar(String from, String to, String symbols) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        LocalDate start = date("from", from, errors);
        LocalDate end = date("to", to, errors);
        List<String> symbolList = symbols == null || symbols.isBlank() ? List.of()
                : Arrays.stream(symbols.split(",")).map(s -> s.trim().toUpperCase(Locale.ROOT)).filter(s -> !s.isEmpty()).distinct().sorted().toList();
        if (symbolList.size() > MAX_CALENDAR_SYMBOLS) {
            errors.add(new ApiProblem.FieldError("symbols", "at most " + MAX_CALENDAR_SYMBOLS + " symbols"));
        }
        symbolList.stream().filter(s -> !SYMBOL.matcher(s).matches()).findFirst()
                .ifPresent(s -> errors.add(new ApiProblem.FieldError("symbols", "not a ticker symbol: " + s)));
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiProblem.invalid(errors));
        }
        LocalDate effectiveFrom = start != null ? start : (end != null ? end.minusDays(30) : LocalDate.now(config.ledger().zone()));
        LocalDate effectiveTo = end != null ? end : effectiveFrom.plusDays(30);
        if (effectiveTo.isBefore(effectiveFrom)) {
            return Uni.createFrom().failure(ApiProblem.invalid("to", "must not be before from"));
        }
        if (effectiveFrom.plusDays(config.market().calendarMaxDays()).isBefore(effectiveTo)) {
            return Uni.createFrom().failure(ApiProblem.invalid("to", "the range may span at most " + config.market().calendarMaxDays() + " days"));
        }
        return cached("calendar:" + effectiveFrom + ":" + effectiveTo + ":" + String.join(",", symbolList),
                () -> market.calendar(effectiveFrom, effectiveTo, symbolList).map(dividends -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("from", effectiveFrom);
                    body.put("to", effectiveTo);
                    body.put("dividends", dividends);
                    return body;
                }));
    }

    public Uni<byte[]> treemap(String period, String limit, String mode, String metric) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        String p = period == null ? "1y" : period.trim().toLowerCase(Locale.ROOT);
        if (!PERIODS.contains(p)) {
            errors.add(new ApiProblem.FieldError("period", "must be one of 3m, 6m, 1y, 2y, 5y, max"));
        }
        String m = mode == null ? "current" : mode.trim().toLowerCase(Locale.ROOT);
        if (!m.equals("current") && !m.equals("percentage_change")) {
            errors.add(new ApiProblem.FieldError("mode", "must be current or percentage_change"));
        }
        String metricName = metric == null ? "price" : metric.trim().toLowerCase(Locale.ROOT);
        if (!metricName.equals("price") && !metricName.equals("short")) {
            errors.add(new ApiProblem.FieldError("metric", "must be price or short"));
        }
        Integer n = integer("limit", limit, errors);
        int max = config.market().treemapMaxLimit();
        if (n != null && (n < 1 || n > max)) {
            errors.add(new ApiProblem.FieldError("limit", "must be between 1 and " + max));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiProblem.invalid(errors));
        }
        int effectiveLimit = n == null ? 10 : n;
        String rankColumn = m.equals("current") ? "rank_current" : "rank_change";
        return cached("treemap:" + p + ":" + metricName + ":" + m + ":" + effectiveLimit,
                () -> market.treemap(p, metricName, rankColumn, effectiveLimit).map(industries -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("period", p);
                    body.put("mode", m);
                    body.put("metric", metricName);
                    body.put("limit", effectiveLimit);
                    body.put("industries", industries);
                    return body;
                }));
    }

    public Uni<byte[]> etfHoldings(String rawSymbol) {
        String symbol = symbol(rawSymbol);
        return cached("etf:" + symbol, () -> market.etfHoldings(symbol)
                .onItem().ifNull().failWith(() -> ApiProblem.notFound("ETF holdings of " + symbol)));
    }

    /**
     * The JSON from this replica's memory (dashboard.cache.market-local-ttl), else from Redis, else the
     * loader's result serialized and cached in Redis for dashboard.cache.market-ttl.
     */
    private Uni<byte[]> cached(String key, Supplier<Uni<?>> loader) {
        LocalCopy copy = local.get(key);
        if (copy != null && System.nanoTime() - copy.expiresAtNanos() < 0) {
            hits.increment();
            return Uni.createFrom().item(copy.body());
        }
        String redisKey = CACHE_PREFIX + key;
        return values.get(redisKey)
                .ifNoItem().after(config.cache().redisTimeout()).recoverWithItem((byte[]) null)
                .onFailure().recoverWithNull()
                .chain(found -> {
                    if (found != null) {
                        hits.increment();
                        return Uni.createFrom().item(found);
                    }
                    misses.increment();
                    return loader.get().map(this::write)
                            .call(body -> values.set(redisKey, body, new SetArgs().px(config.cache().marketTtl()))
                                    .onFailure().recoverWithNull());
                })
                .invoke(body -> remember(key, body));
    }

    private void remember(String key, byte[] body) {
        long ttl = config.cache().marketLocalTtl().toNanos();
        if (ttl > 0) {
            local.put(key, new LocalCopy(body, System.nanoTime() + ttl));
        }
    }

    private byte[] write(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String symbol(String raw) {
        String symbol = raw == null ? "" : raw.trim().toUpperCase(Locale.ROOT);
        if (!SYMBOL.matcher(symbol).matches()) {
            throw ApiProblem.notFound("Symbol " + raw);
        }
        return symbol;
    }

    private static BigDecimal decimal(String field, String value, List<ApiProblem.FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(value.trim());
            if (d.signum() < 0 || d.compareTo(BigDecimal.TEN) > 0) {
                errors.add(new ApiProblem.FieldError(field, "must be a fraction between 0 and 10 (0.05 is 5 %)"));
            }
            return d;
        } catch (NumberFormatException e) {
            errors.add(new ApiProblem.FieldError(field, "is not a number"));
            return null;
        }
    }

    private static Integer integer(String field, String value, List<ApiProblem.FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            errors.add(new ApiProblem.FieldError(field, "is not a whole number"));
            return null;
        }
    }

    private static String text(String field, String value, List<ApiProblem.FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > 100) {
            errors.add(new ApiProblem.FieldError(field, "at most 100 characters"));
        }
        return value.trim();
    }

    private static LocalDate date(String field, String value, List<ApiProblem.FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value.trim());
        } catch (DateTimeParseException e) {
            errors.add(new ApiProblem.FieldError(field, "is not an ISO-8601 date (2026-11-20)"));
            return null;
        }
    }
}
