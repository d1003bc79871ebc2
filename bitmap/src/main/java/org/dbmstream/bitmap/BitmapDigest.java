package org.dbmstream.bitmap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Streaming computation of QEMU's sha256 and count of a bitmap in bounded memory: feed the serialized
 * bytes in order (gaps as {@link #updateZeros}), then {@link #finish}. The hash is SHA-256 over the
 * serialized bitmap zero-padded to a multiple of 8 bytes; the count is set bits times granularity.
 */
public final class BitmapDigest {
    private static final byte[] ZEROS = new byte[8192];
    /** Set bits are counted a word at a time (the byte order does not change a count). */
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Granularity granularity;
    private final MessageDigest sha;
    private long bytes;
    private long setBits;

    public BitmapDigest(Granularity granularity) {
        this.granularity = granularity;
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public BitmapDigest update(byte[] buf, int off, int len) {
        sha.update(buf, off, len);
        int end = off + len;
        int i = off;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            setBits += Long.bitCount((long) WORDS.get(buf, i));
        }
        for (; i < end; i++) {
            setBits += Integer.bitCount(buf[i] & 0xff);
        }
        bytes += len;
        return this;
    }

    /** Feeds {@code n} zero bytes (an all-zero chunk that was never stored). */
    public BitmapDigest updateZeros(long n) {
        long left = n;
        while (left > 0) {
            int k = (int) Math.min(left, ZEROS.length);
            sha.update(ZEROS, 0, k);
            left -= k;
        }
        bytes += n;
        return this;
    }

    /** Bytes fed so far. */
    public long bytes() {
        return bytes;
    }

    /**
     * Pads to a multiple of 8 bytes and returns the result; the digest cannot be used afterwards. A
     * bitmap of zero bits (a disk of size 0) still hashes one zero word, as QEMU's hbitmap always
     * allocates at least one.
     */
    public Result finish() {
        long pad = bytes == 0 ? 8 : (8 - (bytes & 7)) & 7;
        updateZeros(pad);
        return new Result(HexFormat.of().formatHex(sha.digest()), setBits * granularity.bytes(), setBits);
    }

    /** QEMU's sha256 (hex), its count in bytes, and the number of set bits. */
    public record Result(String sha256, long count, long setBits) {
    }
}
