package io.incomeplatform.dashboard.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/** One ledger row. {@code shares} is the ratio for a SPLIT, whose {@code price} is null. */
public record LedgerEntry(UUID id, UUID portfolioId, String type, String symbol, LocalDate date,
                          BigDecimal shares, BigDecimal price, BigDecimal fee, Instant createdAt) {

    public static final String BUY = "BUY";
    public static final String SELL = "SELL";
    public static final String SPLIT = "SPLIT";
}
