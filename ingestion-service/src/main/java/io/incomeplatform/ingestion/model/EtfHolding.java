package io.incomeplatform.ingestion.model;

import java.math.BigDecimal;
import java.time.LocalDate;

/** One constituent of an ETF on a date; weight is a fraction of the fund in [0, 1]. */
public record EtfHolding(String etfSymbol, LocalDate asOf, String holdingSymbol, BigDecimal weight,
                         BigDecimal shares, BigDecimal marketValue, String source) {
}
