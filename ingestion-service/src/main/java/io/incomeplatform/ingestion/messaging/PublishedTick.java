package io.incomeplatform.ingestion.messaging;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A tick as the realtime service receives it ({@code income:ticks}, {@code income:prices:latest}).
 * previousClose, change and changeRatio are null when no earlier close is known.
 */
public record PublishedTick(String symbol, BigDecimal price, BigDecimal previousClose, Long volume, Instant ts,
                            String source) {

    /** Fixed width (always milliseconds), so timestamps compare as strings in the Redis script. */
    static final DateTimeFormatter TS_FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public BigDecimal change() {
        return previousClose == null ? null : price.subtract(previousClose);
    }

    /** price / previousClose - 1, to 10 decimal places. */
    public BigDecimal changeRatio() {
        return previousClose == null ? null
                : change().divide(previousClose, MathContext.DECIMAL64).setScale(10, RoundingMode.HALF_EVEN)
                        .stripTrailingZeros();
    }

    public String tsText() {
        return TS_FORMAT.format(ts);
    }

    /** The JSON object, written by hand: this runs for every published tick. */
    public void appendJson(StringBuilder out) {
        out.append("{\"symbol\":\"").append(symbol)
                .append("\",\"price\":").append(price.toPlainString())
                .append(",\"previousClose\":").append(plain(previousClose))
                .append(",\"change\":").append(plain(change()))
                .append(",\"changeRatio\":").append(plain(changeRatio()))
                .append(",\"volume\":").append(volume)
                .append(",\"ts\":\"").append(tsText())
                .append("\",\"source\":\"").append(source).append("\"}");
    }

    public String toJson() {
        StringBuilder out = new StringBuilder(192);
        appendJson(out);
        return out.toString();
    }

    private static String plain(BigDecimal value) {
        return value == null ? "null" : value.toPlainString();
    }
}
