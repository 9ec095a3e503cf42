package io.incomeplatform.mart.repository;

import io.incomeplatform.mart.service.PortfolioCalculator;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The closes query's "epochDay:close,..." text, parsed without a BigDecimal per close. */
class PortfolioClosesTextTest {

    @Test
    void shouldReadEachCloseWithTheDigitsAndScaleNumericPrinted() {
        PortfolioCalculator.Series series = PortfolioRepository.series("20000:123.4500,20001:-0.0012,20002:7,20003:0.0");
        assertArrayEquals(new int[]{20000, 20001, 20002, 20003}, series.days());
        // equals, not compareTo: 123.4500 keeps its scale 4, as new BigDecimal("123.4500") does.
        assertEquals(new BigDecimal("123.4500"), series.closes().get(0));
        assertEquals(new BigDecimal("-0.0012"), series.closes().get(1));
        assertEquals(new BigDecimal("7"), series.closes().get(2));
        assertEquals(new BigDecimal("0.0"), series.closes().get(3));
    }

    @Test
    void shouldKeepACloseOfMoreDigitsThanALongHoldsAsItIs() {
        PortfolioCalculator.Series series = PortfolioRepository.series("20000:1234567890.1234567890123");
        assertEquals(new BigDecimal("1234567890.1234567890123"), series.closes().get(0));
    }

    @Test
    void shouldPutClosesThatArriveOutOfDayOrderInOrder() {
        PortfolioCalculator.Series series = PortfolioRepository.series("20002:3.5,20000:1,20001:2.25");
        assertArrayEquals(new int[]{20000, 20001, 20002}, series.days());
        assertEquals(new BigDecimal("1"), series.closes().get(0));
        assertEquals(new BigDecimal("2.25"), series.closes().get(1));
        assertEquals(new BigDecimal("3.5"), series.closes().get(2));
    }
}
