package io.incomeplatform.ingestion.messaging;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A tick as the realtime service receives it ({@code income:ticks}, {@code income:prices:latest}).
 * previousClose, change and changeRatio are null when no earlier close is known.
 */
public record PublishedTick(String symbol, BigDecimal price, BigDecimal previousClose, Long volume, Instant ts,
                            String source) {

    public BigDecimal change() {
        return previousClose == null ? null : price.subtract(previousClose);
    }

    /** price / previousClose - 1, to 10 decimal places. */
    public BigDecimal changeRatio() {
        return previousClose == null ? null
                : change().divide(previousClose, MathContext.DECIMAL64).setScale(10, RoundingMode.HALF_EVEN)
                        .stripTrailingZeros();
    }

    /**
     * ts as {@code uuuu-MM-dd'T'HH:mm:ss.SSS'Z'}: fixed width (always milliseconds), so timestamps compare as
     * strings in the Redis script. Written by hand: it runs for every published tick.
     */
    public String tsText() {
        long millis = ts.toEpochMilli();
        long seconds = Math.floorDiv(millis, 1000);
        int milli = (int) Math.floorMod(millis, 1000);
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        StringBuilder out = new StringBuilder(24);
        pad(out, t.getYear(), 4).append('-');
        pad(out, t.getMonthValue(), 2).append('-');
        pad(out, t.getDayOfMonth(), 2).append('T');
        pad(out, t.getHour(), 2).append(':');
        pad(out, t.getMinute(), 2).append(':');
        pad(out, t.getSecond(), 2).append('.');
        return pad(out, milli, 3).append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
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
