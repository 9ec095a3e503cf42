package io.incomeplatform.ingestion.client;

import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.incomeplatform.ingestion.model.Split;
import io.incomeplatform.ingestion.model.Tick;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(FakeProviders.class)
class ProviderAdaptersTest {

    static final LocalDate FROM = LocalDate.parse("2026-11-13");
    static final LocalDate TO = LocalDate.parse("2026-11-20");

    @Inject
    PolygonProvider polygon;

    @Inject
    AlphaVantageProvider alphaVantage;

    @Inject
    YahooProvider yahoo;

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(10));
    }

    private static ProviderException.Kind failureKind(Uni<?> uni) {
        ProviderException e = assertThrows(ProviderException.class, () -> await(uni));
        return e.kind();
    }

    // --- Polygon ---------------------------------------------------------------------------------

    @Test
    void shouldReadPolygonAggregatesAsBarsOnNewYorkDates() {
        List<Bar> bars = await(polygon.dailyBars("AAPL", FROM, TO));
        assertEquals(2, bars.size());
        Bar first = bars.get(0);
        // t = 2026-11-19 00:00 New York in ms
        assertEquals(LocalDate.parse("2026-11-19"), first.date());
        assertEquals(new BigDecimal("228.06"), first.open());
        assertEquals(new BigDecimal("230.16"), first.high());
        assertEquals(new BigDecimal("226.66"), first.low());
        assertEquals(new BigDecimal("229.87"), first.close());
        assertEquals(53_000_000L, first.volume());
        assertEquals("polygon", first.source());
        assertEquals(new BigDecimal("228.22"), bars.get(1).close());
    }

    @Test
    void shouldReadAPolygonAnswerWithoutResultsAsNoBars() {
        assertEquals(List.of(), await(polygon.dailyBars("EMPTY", FROM, TO)));
    }

    @Test
    void shouldClassifyPolygonErrors() {
        assertEquals(ProviderException.Kind.THROTTLED, failureKind(polygon.dailyBars("THROTTLED", FROM, TO)));
        assertEquals(ProviderException.Kind.REJECTED, failureKind(polygon.dailyBars("NOSUCH", FROM, TO)));
        assertEquals(ProviderException.Kind.MALFORMED, failureKind(polygon.dailyBars("BROKEN", FROM, TO)));
        assertEquals(ProviderException.Kind.UNAVAILABLE, failureKind(polygon.dailyBars("DOWN", FROM, TO)));
    }

    // --- Alpha Vantage ---------------------------------------------------------------------------

    @Test
    void shouldReadAlphaVantageStringValuesWithinTheRange() {
        List<Bar> bars = await(alphaVantage.dailyBars("IBM", FROM, TO));
        // 2026-11-12 lies before the range and is left out; the rest come sorted by date
        assertEquals(2, bars.size());
        assertEquals(LocalDate.parse("2026-11-19"), bars.get(0).date());
        assertEquals(new BigDecimal("221.3000"), bars.get(0).close());
        Bar last = bars.get(1);
        assertEquals(new BigDecimal("221.5000"), last.open());
        assertEquals(new BigDecimal("223.1000"), last.high());
        assertEquals(new BigDecimal("220.0100"), last.low());
        assertEquals(new BigDecimal("222.7500"), last.close());
        assertEquals(3_456_789L, last.volume());
        assertEquals("alphavantage", last.source());
    }

    @Test
    void shouldTreatAlphaVantageNoteAndInformationAsThrottling() {
        assertEquals(ProviderException.Kind.THROTTLED, failureKind(alphaVantage.dailyBars("THROTTLED", FROM, TO)));
        assertEquals(ProviderException.Kind.THROTTLED, failureKind(alphaVantage.dailyBars("INFO", FROM, TO)));
    }

    @Test
    void shouldTreatAlphaVantageErrorMessageAsRejected() {
        ProviderException e = assertThrows(ProviderException.class,
                () -> await(alphaVantage.dailyBars("NOSUCH", FROM, TO)));
        assertEquals(ProviderException.Kind.REJECTED, e.kind());
        assertTrue(e.getMessage().contains("Invalid API call"));
    }

    @Test
    void shouldReadAnEmptyAlphaVantageSeriesAndRefuseATruncatedBody() {
        assertEquals(List.of(), await(alphaVantage.dailyBars("EMPTY", FROM, TO)));
        assertEquals(ProviderException.Kind.MALFORMED, failureKind(alphaVantage.dailyBars("BROKEN", FROM, TO)));
    }

    // --- CSV replay ------------------------------------------------------------------------------

    @Inject
    CsvFileProvider csv;

    @Test
    void shouldReplayCsvBarsAndDividendsOfOneSymbol() {
        List<Bar> bars = await(csv.dailyBars("CSVREPLAY", LocalDate.parse("2026-11-01"), TO));
        assertEquals(2, bars.size());
        assertEquals(new BigDecimal("10.20"), bars.get(0).close());
        assertEquals(new BigDecimal("10.10"), bars.get(0).adjClose());
        assertNull(bars.get(1).adjClose());
        assertEquals("csv", bars.get(1).source());
        List<Dividend> dividends = await(csv.dividends("CSVREPLAY", LocalDate.parse("2026-11-01"), TO));
        assertEquals(1, dividends.size());
        assertEquals(new BigDecimal("0.125"), dividends.get(0).amount());
        assertEquals(LocalDate.parse("2026-11-28"), dividends.get(0).payDate());
        assertEquals("csv", dividends.get(0).source());
    }

    // --- Yahoo -----------------------------------------------------------------------------------

    @Test
    void shouldSkipYahooNullsAndRoundItsFloats() {
        List<Bar> bars = await(yahoo.dailyBars("KO", LocalDate.parse("2026-11-18"), TO));
        // 2026-11-19 has nulls only: skipped
        assertEquals(2, bars.size());
        Bar first = bars.get(0);
        assertEquals(LocalDate.parse("2026-11-18"), first.date());
        // 70.230003814697266 kept to 6 decimals
        assertEquals(new BigDecimal("70.230004"), first.close());
        assertEquals(new BigDecimal("68.800003"), first.low());
        assertEquals(new BigDecimal("69.72"), first.adjClose());
        assertEquals(9_000_000L, first.volume());
        assertEquals(LocalDate.parse("2026-11-20"), bars.get(1).date());
        assertEquals("yahoo", first.source());
    }

    @Test
    void shouldReadYahooDividendAndSplitEvents() {
        List<Dividend> dividends = await(yahoo.dividends("KO", LocalDate.parse("2026-11-18"), TO));
        assertEquals(1, dividends.size());
        assertEquals(LocalDate.parse("2026-11-19"), dividends.get(0).exDate());
        assertEquals(new BigDecimal("0.51"), dividends.get(0).amount());
        assertNull(dividends.get(0).payDate());
        List<Split> splits = await(yahoo.splits("KO", LocalDate.parse("2026-11-18"), TO));
        assertEquals(1, splits.size());
        // numerator 2 / denominator 1
        assertEquals(0, new BigDecimal("2").compareTo(splits.get(0).ratio()));
        assertEquals(LocalDate.parse("2026-11-20"), splits.get(0).date());
    }

    @Test
    void shouldReadTheYahooQuoteFromMeta() {
        List<Tick> quotes = await(yahoo.quotes(List.of("KO")));
        assertEquals(1, quotes.size());
        assertEquals(new BigDecimal("70.12"), quotes.get(0).price());
        assertEquals(8_123_456L, quotes.get(0).volume());
        // regularMarketTime = 2026-11-20 09:30 New York + 6 h = 20:30 UTC
        assertEquals(Instant.parse("2026-11-20T20:30:00Z"), quotes.get(0).ts());
    }

    @Test
    void shouldClassifyYahooErrorsIncludingPlainText429() {
        ProviderException throttled = assertThrows(ProviderException.class,
                () -> await(yahoo.dailyBars("THROTTLED", FROM, TO)));
        assertEquals(ProviderException.Kind.THROTTLED, throttled.kind());
        assertTrue(throttled.getMessage().contains("Too Many Requests"));
        ProviderException missing = assertThrows(ProviderException.class,
                () -> await(yahoo.dailyBars("NOSUCH", FROM, TO)));
        assertEquals(ProviderException.Kind.REJECTED, missing.kind());
        assertTrue(missing.getMessage().contains("No data found"));
        assertEquals(ProviderException.Kind.MALFORMED, failureKind(yahoo.dailyBars("BROKEN", FROM, TO)));
        assertEquals(List.of(), await(yahoo.dailyBars("EMPTY", FROM, TO)));
    }
}
