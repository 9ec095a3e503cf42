package io.incomeplatform.dashboard.service;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PlainDecimalsTest {

    private static String written(String value) {
        return written(new BigDecimal(value));
    }

    private static String written(BigDecimal value) {
        char[] out = new char[PlainDecimals.BUFFER_LENGTH];
        int length = PlainDecimals.write(value, out);
        return length < 0 ? null : new String(out, 0, length);
    }

    @Test
    void shouldWriteADecimal128QuotientWithEveryDigit() {
        // 1/3 to 34 significant digits, as BigDecimal.divide(x, DECIMAL128) leaves it.
        assertEquals("0.3333333333333333333333333333333333", written("0.3333333333333333333333333333333333"));
        assertEquals("-0.06666666666666666666666666666666667", written("-0.06666666666666666666666666666666667"));
    }

    @Test
    void shouldPutTheDecimalPointInsideTheDigits() {
        assertEquals("1234567890123456789.5", written("1234567890123456789.5"));
        assertEquals("-98765432109876543210.0000000001", written("-98765432109876543210.0000000001"));
    }

    @Test
    void shouldWriteLeadingZerosWhenTheScaleExceedsTheDigits() {
        // 19 digits at scale 23: "0." then 4 zeros, then the digits.
        assertEquals("0.00001234567890123456789", written("0.00001234567890123456789"));
    }

    @Test
    void shouldWriteTrailingZerosForANegativeScale() {
        // 21 digits times 10^10.
        assertEquals("1234567890123456789010000000000", written("1.23456789012345678901E+30"));
    }

    @Test
    void shouldWriteTheLargestValueItHandles() {
        // 2^128 - 1 = 340282366920938463463374607431768211455, at scale 2.
        BigInteger max = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
        assertEquals("3402823669209384634633746074317682114.55", written(new BigDecimal(max, 2)));
    }

    @Test
    void shouldLeaveShortHugeAndFarScaledValuesToTheCaller() {
        assertEquals(null, written("123456789012345678"));
        assertEquals(null, written("0.1"));
        assertEquals(null, written(new BigDecimal(BigInteger.ONE.shiftLeft(128), 0)));
        assertEquals(null, written(new BigDecimal(new BigInteger("1234567890123456789012"), 65)));
        assertEquals(null, written(new BigDecimal(new BigInteger("1234567890123456789012"), -65)));
    }

    @Test
    void shouldAgreeWithToPlainStringOnRandomValues() {
        Random random = new Random(20261123);
        for (int i = 0; i < 100_000; i++) {
            BigInteger unscaled = new BigInteger(60 + random.nextInt(69), random);
            if (random.nextBoolean()) {
                unscaled = unscaled.negate();
            }
            BigDecimal value = new BigDecimal(unscaled, random.nextInt(129) - 64);
            String written = written(value);
            if (value.precision() > 18) {
                assertEquals(value.toPlainString(), written, () -> "unscaled " + value.unscaledValue() + " scale " + value.scale());
            }
        }
    }
}
