package io.incomeplatform.ingestion.parse;

import java.util.ArrayList;
import java.util.List;

/** RFC 4180 CSV: fields separated by commas, optionally in double quotes ("" is a quote inside one). */
public final class CsvLines {

    private CsvLines() {
    }

    /** Splits the text into records: newlines inside quotes do not end a record. */
    public static List<String> split(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        boolean quoted = false;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\n' && !quoted) {
                int end = i > start && text.charAt(i - 1) == '\r' ? i - 1 : i;
                lines.add(text.substring(start, end));
                start = i + 1;
            }
        }
        if (quoted) {
            throw new UnparseableBodyException("The CSV body has an unclosed quote.");
        }
        if (start < length) {
            lines.add(text.substring(start, text.endsWith("\r") ? length - 1 : length));
        }
        return lines;
    }

    /** The cells of one record; lineNumber only serves the error message. */
    public static String[] cells(String line, int lineNumber) {
        if (line.indexOf('"') < 0) {
            return line.split(",", -1);
        }
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        int i = 0;
        int length = line.length();
        while (true) {
            if (i < length && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= length) {
                        throw new UnparseableBodyException("CSV line " + lineNumber + " has an unclosed quote.");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < length && line.charAt(i) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        cell.append(c);
                    }
                }
                if (i < length && line.charAt(i) != ',') {
                    throw new UnparseableBodyException("CSV line " + lineNumber + " has text after a closing quote.");
                }
            } else {
                while (i < length && line.charAt(i) != ',') {
                    cell.append(line.charAt(i++));
                }
            }
            cells.add(cell.toString());
            cell.setLength(0);
            if (i >= length) {
                return cells.toArray(String[]::new);
            }
            i++; // the comma
        }
    }
}
