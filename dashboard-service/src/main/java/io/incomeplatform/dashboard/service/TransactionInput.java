package io.incomeplatform.dashboard.service;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** A ledger write as the client sends it (JSON body or one CSV row). {@code shares} is the ratio for a SPLIT. */
public record TransactionInput(String type, String symbol, LocalDate date, BigDecimal shares, BigDecimal price, BigDecimal fee) {

    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9][A-Z0-9.\\-]{0,19}");

    /** Field errors of this input, judged against today's exchange date; empty when valid. */
    public List<ApiProblem.FieldError> validate(LocalDate today) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        String normalizedType = normalizedType();
        if (normalizedType == null) {
            errors.add(new ApiProblem.FieldError("type", "must be BUY, SELL or SPLIT"));
        }
        if (symbol == null || !SYMBOL.matcher(normalizedSymbol()).matches()) {
            errors.add(new ApiProblem.FieldError("symbol", "must be a ticker symbol of 1 to 20 letters, digits, '.' or '-'"));
        }
        if (date == null) {
            errors.add(new ApiProblem.FieldError("date", "is required (ISO-8601, 2026-11-20)"));
        } else if (date.isAfter(today)) {
            errors.add(new ApiProblem.FieldError("date", "must not be in the future"));
        }
        if (shares == null || shares.signum() <= 0) {
            errors.add(new ApiProblem.FieldError("shares", LedgerEntry.SPLIT.equals(normalizedType)
                    ? "the split ratio must be greater than 0" : "must be greater than 0"));
        }
        if (!LedgerEntry.SPLIT.equals(normalizedType) && (price == null || price.signum() <= 0)) {
            errors.add(new ApiProblem.FieldError("price", "must be greater than 0"));
        }
        if (fee != null && fee.signum() < 0) {
            errors.add(new ApiProblem.FieldError("fee", "must not be negative"));
        }
        return errors;
    }

    public String normalizedType() {
        if (type == null) {
            return null;
        }
        String upper = type.trim().toUpperCase(Locale.ROOT);
        return switch (upper) {
            case LedgerEntry.BUY, LedgerEntry.SELL, LedgerEntry.SPLIT -> upper;
            default -> null;
        };
    }

    public String normalizedSymbol() {
        return symbol == null ? "" : symbol.trim().toUpperCase(Locale.ROOT);
    }

    /** The ledger row for a valid input; a SPLIT carries no price and no fee. */
    public LedgerEntry toEntry(java.util.UUID id, java.util.UUID portfolioId) {
        String t = normalizedType();
        boolean split = LedgerEntry.SPLIT.equals(t);
        return new LedgerEntry(id, portfolioId, t, normalizedSymbol(), date, shares,
                split ? null : price, split || fee == null ? BigDecimal.ZERO : fee, null);
    }
}
