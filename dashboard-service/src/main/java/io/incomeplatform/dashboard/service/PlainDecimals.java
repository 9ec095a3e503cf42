package io.incomeplatform.dashboard.service;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * BigDecimal.toPlainString's characters, written into a caller's buffer, for the long values a
 * dashboard is full of: a weight or a return is a DECIMAL128 quotient of 34 digits, and the JDK prints
 * those through BigInteger.toString (two long divisions of MutableBigIntegers and a String per group),
 * which was a tenth of a miss's CPU. Here the unscaled value is cut into 32-bit words and divided by
 * 10^9 in long arithmetic. Values of at most 18 digits (the JDK prints them from a long, quickly) and
 * those this does not handle return -1: the caller prints them the JDK's way.
 */
final class PlainDecimals {

    /** Unscaled values below 2^128 (39 digits), scales within +-64. */
    private static final int TEXT_LENGTH = 1 + 39 + 2 + 64;
    /** Five passes of nine digits, made right to left after the text's room. */
    private static final int DIGITS_LENGTH = 45;
    /** The buffer a caller passes: the text, then room to make the digits in. */
    static final int BUFFER_LENGTH = TEXT_LENGTH + DIGITS_LENGTH;
    private static final int MAX_SCALE = 64;
    private static final long BILLION = 1_000_000_000L;
    private static final long LOW_WORD = 0xFFFF_FFFFL;

    /** The tens and ones digits of 0..99. */
    private static final char[] TENS = new char[100], ONES = new char[100];

    static {
        for (int i = 0; i < 100; i++) {
            TENS[i] = (char) ('0' + i / 10);
            ONES[i] = (char) ('0' + i % 10);
        }
    }

    private PlainDecimals() {
    }

    /** Writes value.toPlainString() into out from 0 and returns its length; -1 when the caller should print it itself. */
    static int write(BigDecimal value, char[] out) {
        int scale = value.scale();
        if (value.precision() <= 18 || scale > MAX_SCALE || scale < -MAX_SCALE) {
            return -1;
        }
        BigInteger unscaled = value.unscaledValue();
        BigInteger magnitude = unscaled.signum() < 0 ? unscaled.negate() : unscaled;
        if (magnitude.bitLength() > 128) {
            return -1;
        }
        long high = magnitude.shiftRight(64).longValue();
        long low = magnitude.longValue();
        // Words, most significant first; each pass divides them by 10^9 and yields the next nine digits from the right.
        long w3 = high >>> 32, w2 = high & LOW_WORD, w1 = low >>> 32, w0 = low & LOW_WORD;
        int start = BUFFER_LENGTH;
        while ((w3 | w2 | w1 | w0) != 0) {
            long quotient = w3 / BILLION;
            long current = (w3 - quotient * BILLION) << 32 | w2;
            w3 = quotient;
            quotient = current / BILLION;
            current = (current - quotient * BILLION) << 32 | w1;
            w2 = quotient;
            quotient = current / BILLION;
            current = (current - quotient * BILLION) << 32 | w0;
            w1 = quotient;
            quotient = current / BILLION;
            w0 = quotient;
            // The nine digits two at a time, in int arithmetic.
            int group = (int) (current - quotient * BILLION);
            for (int i = 0; i < 4; i++) {
                int hundreds = group / 100;
                int pair = group - hundreds * 100;
                out[--start] = ONES[pair];
                out[--start] = TENS[pair];
                group = hundreds;
            }
            out[--start] = (char) ('0' + group);
        }
        while (out[start] == '0') {
            start++;
        }
        int count = BUFFER_LENGTH - start;
        int length = 0;
        if (unscaled.signum() < 0) {
            out[length++] = '-';
        }
        if (scale <= 0) {
            System.arraycopy(out, start, out, length, count);
            length += count;
            for (int i = 0; i < -scale; i++) {
                out[length++] = '0';
            }
        } else if (count > scale) {
            int whole = count - scale;
            System.arraycopy(out, start, out, length, whole);
            length += whole;
            out[length++] = '.';
            System.arraycopy(out, start + whole, out, length, scale);
            length += scale;
        } else {
            out[length++] = '0';
            out[length++] = '.';
            for (int i = 0; i < scale - count; i++) {
                out[length++] = '0';
            }
            System.arraycopy(out, start, out, length, count);
            length += count;
        }
        return length;
    }
}
