package io.incomeplatform.ingestion.parse;

import java.math.BigDecimal;

/** One record of a request body, whatever its format, read field by field. */
public interface InputRecord {

    /** The field as text; null when absent, JSON null or an empty CSV cell. */
    String text(String field) throws InvalidRecordException;

    /** The field as a number; null when absent. JSON must carry a number, CSV a decimal literal. */
    BigDecimal number(String field) throws InvalidRecordException;

    /** The record as received, kept with a rejection. */
    String payload();
}
