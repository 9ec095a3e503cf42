package io.incomeplatform.realtime.service;

/**
 * One symbol's price as clients receive it. {@code json} is the finished
 * {@code {"symbol","price","change","changeRatio","volume","ts","source"}} object, serialised once
 * per tick and copied as is into every connection's {@code prices} message.
 */
public record PriceUpdate(String symbol, long tsEpochMillis, String json) {
}
