package io.incomeplatform.dashboard.service;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PlainDecimalsTest {

    private static String written(String value) {
        return written(new BigDecimal(value));
    }

    private static String written(BigDecimal value) {
        byte[] out = new byte[PlainDecimals.BUFFER_LENGTH];
        int length = PlainDecimals.write(value, out);
        return length < 0 ? null : new String(out, 0, length, StandardCharsets.US_ASCII);
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
    void shouldWriteShortValuesFromALong() {
        assertEquals("123456789012345678", written("123456789012345678"));
        assertEquals("0.1", written("0.1"));
        assertEquals("-7", written("-7"));
        assertEquals("0.05", written("0.05"));
        assertEquals("12.30", written("12.30"));
        // 2^63 - 1 and -(2^63 - 1), the largest magnitudes of the long path, at scale 4.
        assertEquals("922337203685477.5807", written(new BigDecimal(BigInteger.valueOf(Long.MAX_VALUE), 4)));
        assertEquals("-922337203685477.5807", written(new BigDecimal(BigInteger.valueOf(-Long.MAX_VALUE), 4)));
        // -2^63, whose magnitude is no long: the word path.
        assertEquals("-9223372036854775808", written(new BigDecimal(BigInteger.valueOf(Long.MIN_VALUE))));
    }

    @Test
    void shouldWriteZeroAsToPlainStringDoes() {
        assertEquals("0", written("0"));
        assertEquals("0.000", written("0.000"));
        // Zero with a negative scale has no trailing zeros; another value has them.
        assertEquals("0", written("0E+3"));
        assertEquals("5000", written("5E+3"));
    }

    @Test
    void shouldLeaveHugeAndFarScaledValuesToTheCaller() {
        assertEquals(null, written(new BigDecimal(BigInteger.ONE.shiftLeft(128), 0)));
        assertEquals(null, written(new BigDecimal(new BigInteger("1234567890123456789012"), 65)));
        assertEquals(null, written(new BigDecimal(new BigInteger("1234567890123456789012"), -65)));
    }

    @Test
    void shouldAgreeWithToPlainStringOnRandomValues() {
        Random random = new Random(20261123);
        for (int i = 0; i < 100_000; i++) {
            BigInteger unscaled = new BigInteger(random.nextInt(129), random);
            if (random.nextBoolean()) {
                unscaled = unscaled.negate();
            }
            BigDecimal value = new BigDecimal(unscaled, random.nextInt(129) - 64);
            String written = written(value);
            assertEquals(value.toPlainString(), written, () -> "unscaled " + value.unscaledValue() + " scale " + value.scale());
        }
    }
}
