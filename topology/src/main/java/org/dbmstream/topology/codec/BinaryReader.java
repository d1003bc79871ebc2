package org.dbmstream.topology.codec;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Reads what {@link BinaryWriter} wrote; a short or inconsistent input is an {@link IllegalArgumentException}. */
public final class BinaryReader {
    private final ByteBuffer in;

    public BinaryReader(byte[] bytes) {
        this.in = ByteBuffer.wrap(bytes);
    }

    public String string() {
        return new String(raw(length()), StandardCharsets.UTF_8);
    }

    public String nullableString() {
        return bool() ? string() : null;
    }

    public byte[] bytes() {
        int n = in.remaining() >= 4 ? int32() : -2;
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("byte field of " + n + " bytes with " + in.remaining() + " left");
        }
        return raw(n);
    }

    public int int8() {
        try {
            return in.get() & 0xff;
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public boolean bool() {
        return int8() != 0;
    }

    public int int32() {
        try {
            return in.getInt();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public long int64() {
        try {
            return in.getLong();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    /** Whether unread bytes remain. */
    public boolean hasMore() {
        return in.hasRemaining();
    }

    private int length() {
        int n = int32();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("field of " + n + " bytes with " + in.remaining() + " left");
        }
        return n;
    }

    private byte[] raw(int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static IllegalArgumentException truncated() {
        return new IllegalArgumentException("record is truncated");
    }
}
