package io.incomeplatform.dashboard.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A user's profile (contract: GET|PUT /api/v1/profile). Fields left out of a PUT take their defaults,
 * the same ones a user without a stored profile has.
 */
public record Profile(String benchmark, BigDecimal taxRate, Map<String, BigDecimal> assetTypeTaxRates,
                      List<Expense> expenses, BigDecimal withdrawalRate, BigDecimal fireNumber,
                      Map<String, BigDecimal> targetAllocation, BigDecimal rebalanceThreshold, Instant updatedAt) {

    public record Expense(String category, BigDecimal monthlyAmount) {
    }

    public static final String DEFAULT_BENCHMARK = "SPY";
    public static final BigDecimal DEFAULT_TAX_RATE = new BigDecimal("0.15");
    public static final BigDecimal DEFAULT_WITHDRAWAL_RATE = new BigDecimal("0.04");
    public static final BigDecimal DEFAULT_REBALANCE_THRESHOLD = new BigDecimal("0.05");
    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9][A-Z0-9.\\-]{0,19}");
    private static final Pattern TARGET_KEY = Pattern.compile("(sector|symbol):.{1,100}");

    public static Profile defaults() {
        return new Profile(null, null, null, null, null, null, null, null, null).withDefaults();
    }

    public Profile withDefaults() {
        return new Profile(
                benchmark == null ? DEFAULT_BENCHMARK : benchmark.trim().toUpperCase(Locale.ROOT),
                taxRate == null ? DEFAULT_TAX_RATE : taxRate,
                assetTypeTaxRates == null ? Map.of() : lowerCaseKeys(assetTypeTaxRates),
                expenses == null ? List.of() : expenses,
                withdrawalRate == null ? DEFAULT_WITHDRAWAL_RATE : withdrawalRate,
                fireNumber,
                targetAllocation == null ? Map.of() : targetAllocation,
                rebalanceThreshold == null ? DEFAULT_REBALANCE_THRESHOLD : rebalanceThreshold,
                updatedAt);
    }

    /** Field errors of a PUT body (after withDefaults). */
    public List<ApiProblem.FieldError> validate() {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (!SYMBOL.matcher(benchmark).matches()) {
            errors.add(new ApiProblem.FieldError("benchmark", "must be a ticker symbol"));
        }
        fraction("taxRate", taxRate, errors);
        assetTypeTaxRates.forEach((type, rate) -> {
            if (type.isBlank() || type.length() > 50) {
                errors.add(new ApiProblem.FieldError("assetTypeTaxRates", "asset types must be 1 to 50 characters"));
            }
            fraction("assetTypeTaxRates." + type, rate, errors);
        });
        for (int i = 0; i < expenses.size(); i++) {
            Expense e = expenses.get(i);
            if (e == null || e.category() == null || e.category().isBlank() || e.category().length() > 100) {
                errors.add(new ApiProblem.FieldError("expenses[" + i + "].category", "is required (1 to 100 characters)"));
            }
            if (e == null || e.monthlyAmount() == null || e.monthlyAmount().signum() < 0) {
                errors.add(new ApiProblem.FieldError("expenses[" + i + "].monthlyAmount", "must be 0 or more"));
            }
        }
        if (withdrawalRate.signum() <= 0 || withdrawalRate.compareTo(BigDecimal.ONE) > 0) {
            errors.add(new ApiProblem.FieldError("withdrawalRate", "must be in (0, 1]"));
        }
        if (fireNumber != null && fireNumber.signum() <= 0) {
            errors.add(new ApiProblem.FieldError("fireNumber", "must be greater than 0"));
        }
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, BigDecimal> target : targetAllocation.entrySet()) {
            if (!TARGET_KEY.matcher(target.getKey()).matches()) {
                errors.add(new ApiProblem.FieldError("targetAllocation", "keys are sector:NAME or symbol:SYMBOL, not " + target.getKey()));
            }
            fraction("targetAllocation." + target.getKey(), target.getValue(), errors);
            if (target.getValue() != null) {
                total = total.add(target.getValue());
            }
        }
        if (total.compareTo(new BigDecimal("1.0001")) > 0) {
            errors.add(new ApiProblem.FieldError("targetAllocation", "weights add up to more than 1"));
        }
        fraction("rebalanceThreshold", rebalanceThreshold, errors);
        return errors;
    }

    private static void fraction(String field, BigDecimal value, List<ApiProblem.FieldError> errors) {
        if (value == null || value.signum() < 0 || value.compareTo(BigDecimal.ONE) > 0) {
            errors.add(new ApiProblem.FieldError(field, "must be a fraction between 0 and 1"));
        }
    }

    private static Map<String, BigDecimal> lowerCaseKeys(Map<String, BigDecimal> rates) {
        Map<String, BigDecimal> result = new LinkedHashMap<>();
        rates.forEach((k, v) -> result.put(k.trim().toLowerCase(Locale.ROOT), v));
        return result;
    }

    /** The tax rate of an asset type: its own rate if the profile names one, else the general rate. */
    public BigDecimal taxRateFor(String assetType) {
        if (assetType != null) {
            BigDecimal specific = assetTypeTaxRates.get(assetType.toLowerCase(Locale.ROOT));
            if (specific != null) {
                return specific;
            }
        }
        return taxRate;
    }
}
