package io.incomeplatform.ingestion.model;

import java.math.BigDecimal;

/** Reference data of a listed security. tier null means "keep the stored tier" (4 for a new symbol). */
public record Security(String symbol, String name, String exchange, String assetType, String sector,
                       String industry, String currency, BigDecimal marketCap, Integer tier, String source) {
}
