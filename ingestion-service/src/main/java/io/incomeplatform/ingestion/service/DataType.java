package io.incomeplatform.ingestion.service;

/** The kinds of raw data, named as in the write endpoints and the {@code income:raw-changed} events. */
public enum DataType {
    TICKS("ticks"),
    BARS("bars"),
    DIVIDENDS("dividends"),
    SPLITS("splits"),
    SECURITIES("securities"),
    ETF_HOLDINGS("etf-holdings"),
    SHORT_POSITIONS("short-positions");

    private final String wireName;

    DataType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
