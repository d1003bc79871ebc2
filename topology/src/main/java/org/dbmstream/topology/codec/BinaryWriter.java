package org.dbmstream.topology.codec;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes the topology's own compact binary records (state-store values, internal topics): big-endian
 * integers and length-prefixed UTF-8 strings, so that keys built from them sort and prefix-scan as bytes.
 */
public final class BinaryWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    private final DataOutputStream out = new DataOutputStream(bytes);

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
        try {
            out.writeByte(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public BinaryWriter bool(boolean v) {
        return int8(v ? 1 : 0);
    }

    public BinaryWriter int32(int v) {
        try {
            out.writeInt(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public BinaryWriter int64(long v) {
        try {
            out.writeLong(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public BinaryWriter raw(byte[] b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public byte[] toByteArray() {
        return bytes.toByteArray();
    }
}
