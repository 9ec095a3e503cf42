package io.incomeplatform.ingestion.parse;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;

/** A record that arrived as a JSON object (JSON array element or NDJSON line). */
final class JsonInputRecord implements InputRecord {

    private final JsonNode node;

    JsonInputRecord(JsonNode node) {
        this.node = node;
    }

    @Override
    public String text(String field) throws InvalidRecordException {
        JsonNode value = field(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRecordException(field + " must be a string");
        }
        String text = value.textValue().strip();
        return text.isEmpty() ? null : text;
    }

    @Override
    public BigDecimal number(String field) throws InvalidRecordException {
        JsonNode value = field(field);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw new InvalidRecordException(field + " must be a number");
        }
        // A literal beyond double range (1e400) parses as infinity: a bad record, not a server error.
        if (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
            throw new InvalidRecordException(field + " must be a finite number");
        }
        return value.decimalValue();
    }

    @Override
    public String payload() {
        return node.toString();
    }

    private JsonNode field(String field) throws InvalidRecordException {
        if (!node.isObject()) {
            throw new InvalidRecordException("record must be a JSON object");
        }
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }
}
