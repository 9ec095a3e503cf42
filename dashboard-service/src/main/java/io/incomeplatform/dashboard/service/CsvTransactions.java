package io.incomeplatform.dashboard.service;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses a ledger CSV import: a header row naming the columns (type, symbol, date, shares, price, fee;
 * any order, price and fee optional), then one transaction per row. Quoted fields ("a,b", "") are
 * supported. Cells that do not parse become row errors instead of failing the whole request.
 */
public final class CsvTransactions {

    /** One data row: its 1-based line number in the file, the input and the parse errors of its cells. */
    public record Row(int line, TransactionInput input, List<ApiProblem.FieldError> errors) {
    }

    private static final List<String> REQUIRED = List.of("type", "symbol", "date", "shares");

    private CsvTransactions() {
    }

    public static List<Row> parse(String csv) {
        String[] lines = csv.replace("\r\n", "\n").replace('\r', '\n').split("\n");
        int headerLine = 0;
        while (headerLine < lines.length && lines[headerLine].isBlank()) {
            headerLine++;
        }
        if (headerLine == lines.length) {
            throw ApiProblem.invalid("body", "the CSV is empty: expected a header row (type,symbol,date,shares,price,fee)");
        }
        Map<String, Integer> columns = new HashMap<>();
        List<String> header = split(lines[headerLine]);
        for (int i = 0; i < header.size(); i++) {
            columns.put(header.get(i).trim().toLowerCase(Locale.ROOT), i);
        }
        List<String> missing = REQUIRED.stream().filter(c -> !columns.containsKey(c)).toList();
        if (!missing.isEmpty()) {
            throw ApiProblem.invalid("header", "missing column(s): " + String.join(", ", missing));
        }
        List<Row> rows = new ArrayList<>();
        for (int i = headerLine + 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            List<String> cells = split(lines[i]);
            List<ApiProblem.FieldError> errors = new ArrayList<>();
            TransactionInput input = new TransactionInput(
                    cell(cells, columns, "type"), cell(cells, columns, "symbol"),
                    date(cell(cells, columns, "date"), errors),
                    decimal("shares", cell(cells, columns, "shares"), errors),
                    decimal("price", cell(cells, columns, "price"), errors),
                    decimal("fee", cell(cells, columns, "fee"), errors));
            rows.add(new Row(i + 1, input, errors));
        }
        return rows;
    }

    private static String cell(List<String> cells, Map<String, Integer> columns, String name) {
        Integer index = columns.get(name);
        if (index == null || index >= cells.size()) {
            return null;
        }
        String value = cells.get(index).trim();
        return value.isEmpty() ? null : value;
    }

    private static LocalDate date(String value, List<ApiProblem.FieldError> errors) {
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            errors.add(new ApiProblem.FieldError("date", "is not an ISO-8601 date: " + value));
            return null;
        }
    }

    private static BigDecimal decimal(String field, String value, List<ApiProblem.FieldError> errors) {
        if (value == null) {
            return null;
        }
        try {
            return new BigDecimal(value);
        } catch (NumberFormatException e) {
            errors.add(new ApiProblem.FieldError(field, "is not a number: " + value));
            return null;
        }
    }

    static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    current.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    current.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        cells.add(current.toString());
        return cells;
    }
}
