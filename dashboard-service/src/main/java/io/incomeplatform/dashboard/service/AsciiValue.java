package io.incomeplatform.dashboard.service;

import com.fasterxml.jackson.core.SerializableString;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A JSON value's raw text in ASCII bytes (a number, or a date with its quotes), for
 * JsonGenerator.writeRawValue: Jackson's UTF-8 generator copies it straight into its output buffer
 * ({@link #appendUnquotedUTF8}), where a String or char[] value is made first and then encoded char by char.
 * Reused: one per thread, filled again for each value; {@link #buffer()} is written, then {@link #length} set.
 * Raw text is written as it is and never quoted, so the quoting methods are not supported.
 */
final class AsciiValue implements SerializableString {

    private final byte[] bytes;
    private int length;

    AsciiValue(int capacity) {
        bytes = new byte[capacity];
    }

    byte[] buffer() {
        return bytes;
    }

    AsciiValue length(int length) {
        this.length = length;
        return this;
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
        if (offset + length > buffer.length) {
            return -1;
        }
        System.arraycopy(bytes, 0, buffer, offset, length);
        return length;
    }

    @Override
    public byte[] asUnquotedUTF8() {
        return Arrays.copyOf(bytes, length);
    }

    @Override
    public String getValue() {
        return new String(bytes, 0, length, StandardCharsets.US_ASCII);
    }

    @Override
    public int charLength() {
        return length;
    }

    @Override
    public char[] asQuotedChars() {
        throw new UnsupportedOperationException("raw text is never quoted");
    }

    @Override
    public byte[] asQuotedUTF8() {
        throw new UnsupportedOperationException("raw text is never quoted");
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
        throw new UnsupportedOperationException("raw text is never quoted");
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
        throw new UnsupportedOperationException("raw text is never quoted");
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
        if (offset + length > buffer.length) {
            return -1;
        }
        for (int i = 0; i < length; i++) {
            buffer[offset + i] = (char) bytes[i];
        }
        return length;
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) throws IOException {
        throw new UnsupportedOperationException("raw text is never quoted");
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
        out.write(bytes, 0, length);
        return length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
        throw new UnsupportedOperationException("raw text is never quoted");
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
        if (length > buffer.remaining()) {
            return -1;
        }
        buffer.put(bytes, 0, length);
        return length;
    }
}
