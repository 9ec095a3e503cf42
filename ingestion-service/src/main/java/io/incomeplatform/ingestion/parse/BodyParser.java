package io.incomeplatform.ingestion.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a write request's body into records: a JSON array of objects, NDJSON (one object per line)
 * or CSV with a header row naming the fields. Any syntax error fails the whole body (nothing is stored);
 * a record that parses but breaks a rule is the validator's business.
 */
@ApplicationScoped
public class BodyParser {

    public static final String NDJSON = "application/x-ndjson";
    public static final String CSV = "text/csv";

    private final ObjectMapper mapper;

    public BodyParser(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** @param mediaType the request's media type without parameters, lower case */
    public List<InputRecord> parse(String mediaType, byte[] body, int maxRecords) {
        if (body.length == 0) {
            throw new UnparseableBodyException("The body is empty.");
        }
        return switch (mediaType) {
            case NDJSON -> parseNdjson(body, maxRecords);
            case CSV -> parseCsv(new String(body, StandardCharsets.UTF_8), maxRecords);
            default -> parseJsonArray(body, maxRecords);
        };
    }

    private List<InputRecord> parseJsonArray(byte[] body, int maxRecords) {
        try (JsonParser parser = mapper.createParser(body)) {
            parser.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new UnparseableBodyException("The body must be a JSON array of records.");
            }
            List<InputRecord> records = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (parser.currentToken() == null) {
                    throw new UnparseableBodyException("The JSON array is not closed.");
                }
                checkCount(records.size() + 1, maxRecords);
                JsonNode node = mapper.readTree(parser);
                records.add(new JsonInputRecord(node));
            }
            if (parser.nextToken() != null) {
                throw new UnparseableBodyException("Unexpected content after the JSON array.");
            }
            return records;
        } catch (IOException e) {
            throw new UnparseableBodyException("The body is not valid JSON: " + shortMessage(e));
        }
    }

    private List<InputRecord> parseNdjson(byte[] body, int maxRecords) {
        List<InputRecord> records = new ArrayList<>();
        String text = new String(body, StandardCharsets.UTF_8);
        int lineNumber = 0;
        for (String line : text.split("\r?\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            checkCount(records.size() + 1, maxRecords);
            try {
                records.add(new JsonInputRecord(mapper.readTree(line)));
            } catch (IOException e) {
                throw new UnparseableBodyException("Line " + lineNumber + " is not valid JSON: " + shortMessage(e));
            }
        }
        return records;
    }

    private List<InputRecord> parseCsv(String text, int maxRecords) {
        List<String> lines = CsvLines.split(text);
        if (lines.isEmpty()) {
            throw new UnparseableBodyException("The CSV body has no header row.");
        }
        String[] header = CsvLines.cells(lines.get(0), 1);
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            String name = header[i].strip();
            if (name.isEmpty() || columns.putIfAbsent(name, i) != null) {
                throw new UnparseableBodyException("The CSV header has an empty or repeated column: '" + name + "'.");
            }
        }
        List<InputRecord> records = new ArrayList<>(lines.size() - 1);
        for (int row = 1; row < lines.size(); row++) {
            String line = lines.get(row);
            if (line.isBlank()) {
                continue;
            }
            checkCount(records.size() + 1, maxRecords);
            String[] cells = CsvLines.cells(line, row + 1);
            if (cells.length != header.length) {
                throw new UnparseableBodyException("CSV line " + (row + 1) + " has " + cells.length
                        + " cells, the header has " + header.length + ".");
            }
            records.add(new CsvInputRecord(columns, cells, line));
        }
        return records;
    }

    private static void checkCount(int count, int maxRecords) {
        if (count > maxRecords) {
            throw new TooManyRecordsException(maxRecords);
        }
    }

    private static String shortMessage(IOException e) {
        String message = e.getMessage();
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) {
            message = jpe.getOriginalMessage();
            if (jpe.getLocation() != null) {
                message += " (line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr() + ")";
            }
        }
        return message == null ? "unreadable" : message;
    }
}
