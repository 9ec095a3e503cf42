package io.incomeplatform.ingestion.parse;

/** The body holds more records than one request may carry: a 413, nothing stored. */
public class TooManyRecordsException extends RuntimeException {

    private final int maxRecords;

    public TooManyRecordsException(int maxRecords) {
        super("more than " + maxRecords + " records", null, false, false);
        this.maxRecords = maxRecords;
    }

    public int maxRecords() {
        return maxRecords;
    }
}
