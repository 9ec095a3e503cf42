package io.incomeplatform.ingestion.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.incomeplatform.ingestion.model.Split;
import io.incomeplatform.ingestion.model.Tick;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Yahoo Finance chart: {@code GET /v8/finance/chart/{sym}?period1=..&period2=..&interval=1d&events=div|split}.
 * {@code chart.result[0]} holds {@code timestamp[]} (seconds), {@code indicators.quote[0].open/high/low/close/volume[]}
 * where any entry may be null (skipped), {@code indicators.adjclose[0].adjclose[]}, and
 * {@code events.dividends / events.splits} keyed by timestamp; {@code meta.regularMarketPrice/Time} is the quote.
 * Errors: {@code chart.error {code, description}} with 404/400, and plain-text 429 "Too Many Requests".
 */
@Singleton
public class YahooProvider extends HttpMarketDataProvider {

    public static final String NAME = "yahoo";


    public YahooProvider(IngestionConfig config, ProviderHttp http, ObjectMapper mapper) {
        super(config.providers().yahoo(), http, mapper);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    /** A parsed chart response. */
    record Chart(String symbol, ZoneId zone, JsonNode result) {
    }

    @Override
    public Uni<List<Tick>> quotes(List<String> symbols) {
        // One chart call per symbol (the chart endpoint takes one); the router sends one symbol at a time.
        return Multi.createFrom().iterable(symbols)
                .onItem().transformToUniAndConcatenate(symbol -> chart(symbol, "1d", "1m", null, null)
                        .map(this::quote))
                .collect().asList()
                .map(quotes -> quotes.stream().filter(q -> q != null).toList());
    }

    @Override
    public Uni<List<Bar>> dailyBars(String symbol, LocalDate from, LocalDate to) {
        return chart(symbol, null, "1d", from, to).map(chart -> bars(chart, from, to));
    }

    @Override
    public Uni<List<Dividend>> dividends(String symbol, LocalDate from, LocalDate to) {
        return chart(symbol, null, "1d", from, to).map(chart -> dividends(chart, from, to));
    }

    @Override
    public Uni<List<Split>> splits(String symbol, LocalDate from, LocalDate to) {
        return chart(symbol, null, "1d", from, to).map(chart -> splits(chart, from, to));
    }

    private Uni<Chart> chart(String symbol, String range, String interval, LocalDate from, LocalDate to) {
        Map<String, String> query = new LinkedHashMap<>();
        if (range != null) {
            query.put("range", range);
        } else {
            // period bounds in seconds; a generous day on each side, rows are filtered by exchange date.
            query.put("period1", Long.toString(from.minusDays(1).toEpochDay() * 86_400));
            query.put("period2", Long.toString(to.plusDays(2).toEpochDay() * 86_400));
        }
        query.put("interval", interval);
        query.put("events", "div|split");
        query.put("includeAdjustedClose", "true");
        String url = config.baseUrl().orElseThrow() + "/v8/finance/chart/" + ProviderHttp.path(symbol)
                + ProviderHttp.query(query);
        return http.get(NAME, url, config.timeout().toMillis()).map(response -> parse(symbol, response));
    }

    Chart parse(String symbol, ProviderHttp.Response response) {
        if (response.status() == 429) {
            throw new ProviderException(NAME, ProviderException.Kind.THROTTLED, "HTTP 429 " + abbreviate(response.body()));
        }
        JsonNode root = null;
        try {
            root = mapper.readTree(response.body());
        } catch (Exception e) {
            if (response.status() == 200) {
                throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "body is not JSON");
            }
        }
        JsonNode error = root == null ? null : root.path("chart").path("error");
        if (response.status() != 200) {
            String detail = error == null || error.isMissingNode() || error.isNull() ? abbreviate(response.body())
                    : error.path("code").asText() + ": " + error.path("description").asText();
            throw new ProviderException(NAME, PolygonProvider.kindOf(response.status()),
                    "HTTP " + response.status() + " " + detail);
        }
        if (root == null || !root.path("chart").isObject()) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "no chart object");
        }
        if (error != null && !error.isNull() && !error.isMissingNode()) {
            throw new ProviderException(NAME, ProviderException.Kind.REJECTED,
                    error.path("code").asText() + ": " + error.path("description").asText());
        }
        JsonNode results = root.path("chart").path("result");
        if (!results.isArray()) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "chart.result is not an array");
        }
        if (results.isEmpty()) {
            return new Chart(symbol, ZoneId.of("America/New_York"), null);
        }
        JsonNode result = results.get(0);
        ZoneId zone;
        try {
            zone = ZoneId.of(result.path("meta").path("exchangeTimezoneName").asText("America/New_York"));
        } catch (DateTimeException e) {
            zone = ZoneId.of("America/New_York");
        }
        return new Chart(symbol, zone, result);
    }

    private Tick quote(Chart chart) {
        if (chart.result() == null) {
            return null;
        }
        JsonNode meta = chart.result().path("meta");
        if (!meta.path("regularMarketPrice").isNumber() || !meta.path("regularMarketTime").isNumber()) {
            return null;
        }
        Long volume = meta.path("regularMarketVolume").isNumber() ? meta.get("regularMarketVolume").asLong() : null;
        return new Tick(chart.symbol(), Instant.ofEpochSecond(meta.get("regularMarketTime").asLong()),
                meta.get("regularMarketPrice").decimalValue(), volume, NAME);
    }

    private List<Bar> bars(Chart chart, LocalDate from, LocalDate to) {
        if (chart.result() == null) {
            return List.of();
        }
        JsonNode timestamps = chart.result().path("timestamp");
        if (timestamps.isMissingNode() || timestamps.isNull()) {
            return List.of();
        }
        JsonNode quote = chart.result().path("indicators").path("quote").path(0);
        JsonNode adjClose = chart.result().path("indicators").path("adjclose").path(0).path("adjclose");
        if (!timestamps.isArray() || !quote.isObject()) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "no timestamp or quote arrays");
        }
        List<Bar> bars = new ArrayList<>(timestamps.size());
        for (int i = 0; i < timestamps.size(); i++) {
            LocalDate date = Instant.ofEpochSecond(timestamps.get(i).asLong()).atZone(chart.zone()).toLocalDate();
            JsonNode open = quote.path("open").path(i);
            JsonNode high = quote.path("high").path(i);
            JsonNode low = quote.path("low").path(i);
            JsonNode close = quote.path("close").path(i);
            JsonNode volume = quote.path("volume").path(i);
            // Yahoo leaves holes (null) for sessions it has no data for: skip them, they are not errors.
            if (date.isBefore(from) || date.isAfter(to) || !open.isNumber() || !high.isNumber() || !low.isNumber()
                    || !close.isNumber()) {
                continue;
            }
            JsonNode adj = adjClose.path(i);
            bars.add(new Bar(chart.symbol(), date, rounded(open), rounded(high), rounded(low), rounded(close),
                    adj.isNumber() ? rounded(adj) : null, volume.isNumber() ? volume.asLong() : 0, NAME));
        }
        return bars;
    }

    private List<Dividend> dividends(Chart chart, LocalDate from, LocalDate to) {
        List<Dividend> dividends = new ArrayList<>();
        if (chart.result() == null) {
            return dividends;
        }
        chart.result().path("events").path("dividends").forEach(event -> {
            if (!event.path("amount").isNumber() || !event.path("date").isNumber()) {
                throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "dividend event without amount/date");
            }
            LocalDate exDate = Instant.ofEpochSecond(event.get("date").asLong()).atZone(chart.zone()).toLocalDate();
            if (!exDate.isBefore(from) && !exDate.isAfter(to)) {
                dividends.add(new Dividend(chart.symbol(), exDate, null, null, null, rounded(event.get("amount")),
                        chart.result().path("meta").path("currency").asText("USD"), "regular", NAME));
            }
        });
        dividends.sort(Comparator.comparing(Dividend::exDate));
        return dividends;
    }

    private List<Split> splits(Chart chart, LocalDate from, LocalDate to) {
        List<Split> splits = new ArrayList<>();
        if (chart.result() == null) {
            return splits;
        }
        chart.result().path("events").path("splits").forEach(event -> {
            if (!event.path("numerator").isNumber() || !event.path("denominator").isNumber()
                    || event.get("denominator").asDouble() == 0) {
                throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "split without numerator/denominator");
            }
            LocalDate date = Instant.ofEpochSecond(event.path("date").asLong()).atZone(chart.zone()).toLocalDate();
            if (!date.isBefore(from) && !date.isAfter(to)) {
                BigDecimal ratio = event.get("numerator").decimalValue()
                        .divide(event.get("denominator").decimalValue(), MathContext.DECIMAL64).stripTrailingZeros();
                splits.add(new Split(chart.symbol(), date, ratio, NAME));
            }
        });
        splits.sort(Comparator.comparing(Split::date));
        return splits;
    }

    /** Yahoo sends binary floating point (150.22999572753906): keep 6 decimals, more is noise. */
    private static BigDecimal rounded(JsonNode value) {
        return value.decimalValue().setScale(6, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
    }

    private static String abbreviate(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }
}
