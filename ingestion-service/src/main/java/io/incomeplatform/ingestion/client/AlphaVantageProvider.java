package io.incomeplatform.ingestion.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Bar;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Alpha Vantage {@code GET /query?function=TIME_SERIES_DAILY&symbol=..&outputsize=compact|full&apikey=..}.
 * Values are strings ({@code "1. open": "220.1000"}) under {@code "Time Series (Daily)"} keyed by date.
 * Errors and throttling arrive as HTTP 200: {@code {"Error Message": ...}} (bad symbol or call),
 * {@code {"Note": ...}} or {@code {"Information": ...}} (call frequency or plan limits).
 */
@Singleton
public class AlphaVantageProvider extends HttpMarketDataProvider {

    public static final String NAME = "alphavantage";
    private static final String SERIES = "Time Series (Daily)";


    public AlphaVantageProvider(IngestionConfig config, ProviderHttp http, ObjectMapper mapper) {
        super(config.providers().alphaVantage(), http, mapper);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.DAILY_BARS);
    }

    @Override
    public Uni<List<Bar>> dailyBars(String symbol, LocalDate from, LocalDate to) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("function", "TIME_SERIES_DAILY");
        query.put("symbol", symbol);
        // compact = the latest 100 data points; anything older needs the full history.
        query.put("outputsize", from.isBefore(LocalDate.now().minusDays(130)) ? "full" : "compact");
        config.apiKey().ifPresent(key -> query.put("apikey", key));
        String url = config.baseUrl().orElseThrow() + "/query" + ProviderHttp.query(query);
        return http.get(NAME, url, config.timeout().toMillis()).map(response -> parse(symbol, from, to, response));
    }

    List<Bar> parse(String symbol, LocalDate from, LocalDate to, ProviderHttp.Response response) {
        if (response.status() != 200) {
            throw new ProviderException(NAME, PolygonProvider.kindOf(response.status()), "HTTP " + response.status());
        }
        JsonNode root;
        try {
            root = mapper.readTree(response.body());
        } catch (Exception e) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "response is not a JSON object");
        }
        if (root.has("Error Message")) {
            throw new ProviderException(NAME, ProviderException.Kind.REJECTED, root.get("Error Message").asText());
        }
        if (root.has("Note") || root.has("Information")) {
            String text = root.has("Note") ? root.get("Note").asText() : root.get("Information").asText();
            throw new ProviderException(NAME, ProviderException.Kind.THROTTLED, text);
        }
        JsonNode series = root.get(SERIES);
        if (series == null || !series.isObject()) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "no \"" + SERIES + "\" object");
        }
        List<Bar> bars = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> days = series.fields();
        while (days.hasNext()) {
            Map.Entry<String, JsonNode> day = days.next();
            LocalDate date;
            try {
                date = LocalDate.parse(day.getKey());
            } catch (DateTimeParseException e) {
                throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "bad date " + day.getKey());
            }
            if (date.isBefore(from) || date.isAfter(to)) {
                continue;
            }
            JsonNode v = day.getValue();
            bars.add(new Bar(symbol, date, number(v, "1. open"), number(v, "2. high"), number(v, "3. low"),
                    number(v, "4. close"), null, number(v, "5. volume").longValue(), NAME));
        }
        bars.sort(Comparator.comparing(Bar::date));
        return bars;
    }

    private static BigDecimal number(JsonNode values, String field) {
        JsonNode value = values.get(field);
        if (value == null || !value.isTextual()) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "missing \"" + field + "\"");
        }
        try {
            return new BigDecimal(value.asText().strip());
        } catch (NumberFormatException e) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "\"" + field + "\" is not a number");
        }
    }
}
