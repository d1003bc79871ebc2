package org.dbmstream.topology.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the topology's own compact binary records (state-store values, internal topics): big-endian
 * integers and length-prefixed UTF-8 strings, so that keys built from them sort and prefix-scan as bytes.
 * (The layout is {@link java.io.DataOutputStream}'s; it is written into a plain array because a bitmap's
 * state is re-encoded for every chunk, and the stream classes' per-write locking showed in profiles.)
 */
public final class BinaryWriter {
    private byte[] buf;
    private int size;

    public BinaryWriter() {
        this(64);
    }

    /** @param capacity the expected size in bytes (the array grows beyond it when needed) */
    public BinaryWriter(int capacity) {
        this.buf = new byte[Math.max(16, capacity)];
    }

    public BinaryWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return int32(b.length).raw(b);
    }

    /** A string that may be null (a presence byte first). */
    public BinaryWriter nullableString(String s) {
        bool(s != null);
        return s == null ? this : string(s);
    }

    /** Bytes that may be null: length -1 for null. */
    public BinaryWriter bytes(byte[] b) {
        if (b == null) {
            return int32(-1);
        }
        return int32(b.length).raw(b);
    }

    public BinaryWriter int8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public BinaryWriter bool(boolean v) {
        return int8(v ? 1 : 0);
    }

    public BinaryWriter int32(int v) {
        ensure(Integer.BYTES);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    public BinaryWriter int64(long v) {
        ensure(Long.BYTES);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    public BinaryWriter raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (buf.length - size < more) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
