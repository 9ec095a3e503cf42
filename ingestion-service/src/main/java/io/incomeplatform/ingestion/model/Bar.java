package io.incomeplatform.ingestion.model;

import java.math.BigDecimal;
import java.time.LocalDate;

/** A daily OHLCV bar; adjClose may be null when the source has none. */
public record Bar(String symbol, LocalDate date, BigDecimal open, BigDecimal high, BigDecimal low,
                  BigDecimal close, BigDecimal adjClose, long volume, String source) {
}
