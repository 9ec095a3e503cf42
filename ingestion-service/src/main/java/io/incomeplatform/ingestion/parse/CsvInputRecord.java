package io.incomeplatform.ingestion.parse;

import java.math.BigDecimal;
import java.util.Map;

/** A CSV row, read through the header's column positions. Every cell is text; numbers are parsed here. */
final class CsvInputRecord implements InputRecord {

    private final Map<String, Integer> columns;
    private final String[] cells;
    private final String line;

    CsvInputRecord(Map<String, Integer> columns, String[] cells, String line) {
        this.columns = columns;
        this.cells = cells;
        this.line = line;
    }

    @Override
    public String text(String field) {
        Integer column = columns.get(field);
        if (column == null) {
            return null;
        }
        String cell = cells[column].strip();
        return cell.isEmpty() ? null : cell;
    }

    @Override
    public BigDecimal number(String field) throws InvalidRecordException {
        String cell = text(field);
        if (cell == null) {
            return null;
        }
        try {
            return new BigDecimal(cell);
        } catch (NumberFormatException e) {
            throw new InvalidRecordException(field + " must be a finite number");
        }
    }

    @Override
    public String payload() {
        return line;
    }
}
