package io.incomeplatform.ingestion.model;

import java.math.BigDecimal;
import java.time.LocalDate;

/** Reported short interest on a date, as a fraction of the shares on issue. */
public record ShortPosition(String symbol, LocalDate date, BigDecimal shortPosition, String source) {
}
