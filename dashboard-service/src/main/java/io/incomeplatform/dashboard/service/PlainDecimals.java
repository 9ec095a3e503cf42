package io.incomeplatform.dashboard.service;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * BigDecimal.toPlainString's characters, written as ASCII bytes into a caller's buffer, for the numbers a
 * dashboard is full of. A weight or a return is a DECIMAL128 quotient of 34 digits, which the JDK prints
 * through BigInteger.toString (two long divisions of MutableBigIntegers and a String per group): that was a
 * tenth of a miss's CPU. Here an unscaled value of up to 62 bits is printed from a long, a longer one is cut
 * into 32-bit words and divided by 10^9 in long arithmetic; either way no String is made, and the bytes go
 * to the JSON without a char-to-byte pass. Values this does not handle return -1: the caller prints them
 * the JDK's way.
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
    private static final byte[] TENS = new byte[100], ONES = new byte[100];

    static {
        for (int i = 0; i < 100; i++) {
            TENS[i] = (byte) ('0' + i / 10);
            ONES[i] = (byte) ('0' + i % 10);
        }
    }

    private PlainDecimals() {
    }

    /** Writes value.toPlainString() into out from 0 and returns its length; -1 when the caller should print it itself. */
    static int write(BigDecimal value, byte[] out) {
        int scale = value.scale();
        if (scale > MAX_SCALE || scale < -MAX_SCALE) {
            return -1;
        }
        BigInteger unscaled = value.unscaledValue();
        int bits = unscaled.bitLength();
        if (bits > 128) {
            return -1;
        }
        // bitLength leaves the sign out: -2^63 has 63, and its magnitude is no long.
        int start = bits < 63 ? digitsOfLong(Math.abs(unscaled.longValue()), out) : digitsOfWords(unscaled.abs(), out);
        return place(out, start, unscaled.signum() < 0, scale);
    }

    /** The digits of v >= 0, right-aligned at BUFFER_LENGTH; returns where they start. */
    private static int digitsOfLong(long v, byte[] out) {
        int start = BUFFER_LENGTH;
        while (v >= 100) {
            long hundreds = v / 100;
            int pair = (int) (v - hundreds * 100);
            out[--start] = ONES[pair];
            out[--start] = TENS[pair];
            v = hundreds;
        }
        int last = (int) v;
        out[--start] = ONES[last];
        if (last >= 10) {
            out[--start] = TENS[last];
        }
        return start;
    }

    /** The digits of a magnitude of 63 to 128 bits, right-aligned at BUFFER_LENGTH; returns where they start. */
    private static int digitsOfWords(BigInteger magnitude, byte[] out) {
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
            out[--start] = (byte) ('0' + group);
        }
        // The magnitude is not zero: the leading zeros of the last group end before the digits do.
        while (out[start] == '0') {
            start++;
        }
        return start;
    }

    /** Moves the digits at [start, BUFFER_LENGTH) to the front with the sign, point and zeros of the scale. */
    private static int place(byte[] out, int start, boolean negative, int scale) {
        int count = BUFFER_LENGTH - start;
        int length = 0;
        if (negative) {
            out[length++] = '-';
        }
        if (scale <= 0) {
            System.arraycopy(out, start, out, length, count);
            length += count;
            // toPlainString writes no zeros after a zero: 0E+3 is "0".
            if (count > 1 || out[start] != '0') {
                for (int i = 0; i < -scale; i++) {
                    out[length++] = '0';
                }
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
