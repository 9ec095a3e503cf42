package io.incomeplatform.realtime.service;

/**
 * One symbol's price as clients receive it. {@code json} is the finished
 * {@code {"symbol","price","change","changeRatio","volume","ts","source"}} object, serialised once
 * per tick and copied as is into every connection's {@code prices} message.
 */
public record PriceUpdate(String symbol, long tsEpochMillis, String json) {

    /** The newer of two updates of the same symbol; on equal timestamps the later arrival wins. */
    public static PriceUpdate newer(PriceUpdate current, PriceUpdate candidate) {
        return current == null || candidate.tsEpochMillis >= current.tsEpochMillis ? candidate : current;
    }
}
