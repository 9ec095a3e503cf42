package io.incomeplatform.ingestion.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Bar;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Polygon.io aggregates: {@code GET /v2/aggs/ticker/{T}/range/1/day/{from}/{to}?adjusted=false&sort=asc}.
 * Bars come as {@code results:[{o,h,l,c,v,vw,t,n}]} with t the window start in Unix ms (midnight New York);
 * no {@code results} means no data. Errors: {@code {"status":"ERROR"|"NOT_AUTHORIZED","error"|"message"}}
 * with 401/403 (bad key), 404, 429 (plan limit) or 5xx.
 */
@Singleton
public class PolygonProvider extends HttpMarketDataProvider {

    public static final String NAME = "polygon";
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");


    public PolygonProvider(IngestionConfig config, ProviderHttp http, ObjectMapper mapper) {
        super(config.providers().polygon(), http, mapper);
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
        query.put("adjusted", "false");
        query.put("sort", "asc");
        query.put("limit", "50000");
        config.apiKey().ifPresent(key -> query.put("apiKey", key));
        String url = config.baseUrl().orElseThrow() + "/v2/aggs/ticker/" + ProviderHttp.path(symbol) + "/range/1/day/"
                + from + "/" + to + ProviderHttp.query(query);
        return http.get(NAME, url, config.timeout().toMillis()).map(response -> parse(symbol, response));
    }

    List<Bar> parse(String symbol, ProviderHttp.Response response) {
        JsonNode root = readJson(response);
        if (response.status() != 200) {
            String message = root == null ? "HTTP " + response.status()
                    : "HTTP " + response.status() + " " + root.path("error").asText(root.path("message").asText());
            throw new ProviderException(NAME, kindOf(response.status()), message);
        }
        if (root == null || !root.isObject()) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "response is not a JSON object");
        }
        String status = root.path("status").asText();
        if (!status.equals("OK") && !status.equals("DELAYED")) {
            throw new ProviderException(NAME, ProviderException.Kind.REJECTED, "status " + status + " "
                    + root.path("error").asText(root.path("message").asText()));
        }
        JsonNode results = root.get("results");
        if (results == null || results.isNull()) {
            return List.of();
        }
        if (!results.isArray()) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "results is not an array");
        }
        List<Bar> bars = new ArrayList<>(results.size());
        for (JsonNode r : results) {
            if (!r.path("t").isNumber() || !r.path("o").isNumber() || !r.path("h").isNumber()
                    || !r.path("l").isNumber() || !r.path("c").isNumber()) {
                throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "aggregate without t/o/h/l/c");
            }
            LocalDate date = Instant.ofEpochMilli(r.get("t").asLong()).atZone(NEW_YORK).toLocalDate();
            bars.add(new Bar(symbol, date, r.get("o").decimalValue(), r.get("h").decimalValue(),
                    r.get("l").decimalValue(), r.get("c").decimalValue(), null,
                    Math.round(r.path("v").asDouble()), NAME));
        }
        return bars;
    }

    static ProviderException.Kind kindOf(int status) {
        if (status == 429) {
            return ProviderException.Kind.THROTTLED;
        }
        return status >= 500 ? ProviderException.Kind.UNAVAILABLE : ProviderException.Kind.REJECTED;
    }

    private JsonNode readJson(ProviderHttp.Response response) {
        try {
            return mapper.readTree(response.body());
        } catch (Exception e) {
            if (response.status() != 200) {
                return null;
            }
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, "body is not JSON");
        }
    }
}
