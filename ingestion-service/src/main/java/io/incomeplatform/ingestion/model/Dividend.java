package io.incomeplatform.ingestion.model;

import java.math.BigDecimal;
import java.time.LocalDate;

/** A cash dividend per share; type is regular or special. */
public record Dividend(String symbol, LocalDate exDate, LocalDate payDate, LocalDate recordDate,
                       LocalDate declaredDate, BigDecimal amount, String currency, String type, String source) {
}
