package io.incomeplatform.realtime.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.incomeplatform.realtime.service.PriceUpdate;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the tick objects of {@code income:ticks} and {@code income:prices:latest}
 * (docs/service-contracts.md) into {@link PriceUpdate}s. Numbers are kept as the exact decimals the
 * publisher wrote (no double rounding), and only the fields of the public contract go to clients.
 */
public final class TickParser {

    private static final String[] NUMBER_FIELDS = {"price", "change", "changeRatio", "volume"};

    private final ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    /** The valid ticks of one {@code {"ticks":[...]}} message; broken entries are skipped and counted. */
    public Batch parseBatch(String message) {
        JsonNode ticks;
        try {
            ticks = mapper.readTree(message).path("ticks");
        } catch (JsonProcessingException e) {
            return new Batch(List.of(), 1);
        }
        if (!ticks.isArray()) {
            return new Batch(List.of(), 1);
        }
        List<PriceUpdate> updates = new ArrayList<>(ticks.size());
        int rejected = 0;
        for (JsonNode tick : ticks) {
            Optional<PriceUpdate> update = toUpdate(tick);
            if (update.isPresent()) {
                updates.add(update.get());
            } else {
                rejected++;
            }
        }
        return new Batch(updates, rejected);
    }

    /** One tick object as stored in the latest-prices hash. */
    public Optional<PriceUpdate> parseTick(String json) {
        try {
            return toUpdate(mapper.readTree(json));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    private static Optional<PriceUpdate> toUpdate(JsonNode tick) {
        String symbol = tick.path("symbol").asText("");
        JsonNode price = tick.path("price");
        String ts = tick.path("ts").asText("");
        if (symbol.isEmpty() || !price.isNumber() || ts.isEmpty()) {
            return Optional.empty();
        }
        long tsMillis;
        try {
            tsMillis = Instant.parse(ts).toEpochMilli();
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("symbol", symbol);
        for (String field : NUMBER_FIELDS) {
            JsonNode value = tick.get(field);
            out.set(field, value != null && value.isNumber() ? value : JsonNodeFactory.instance.nullNode());
        }
        out.put("ts", ts);
        JsonNode source = tick.get("source");
        out.set("source", source != null && source.isTextual() ? source : JsonNodeFactory.instance.nullNode());
        return Optional.of(new PriceUpdate(symbol, tsMillis, out.toString()));
    }

    public record Batch(List<PriceUpdate> updates, int rejected) {
    }
}
