package io.incomeplatform.ingestion.model;

import java.math.BigDecimal;
import java.time.LocalDate;

/** A stock split effective on date; ratio = new shares per old share (4 for 4-for-1). */
public record Split(String symbol, LocalDate date, BigDecimal ratio, String source) {
}
