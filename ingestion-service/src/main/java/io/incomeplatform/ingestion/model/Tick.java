package io.incomeplatform.ingestion.model;

import java.math.BigDecimal;
import java.time.Instant;

/** One traded price at an instant. volume may be null (quotes without a size). */
public record Tick(String symbol, Instant ts, BigDecimal price, Long volume, String source) {
}
