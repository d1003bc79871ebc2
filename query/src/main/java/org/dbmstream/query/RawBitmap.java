package org.dbmstream.query;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes a bitmap's bytes in QEMU's layout (DESIGN.md section 1), {@code ceil(bits / 8)} of them, from
 * its stored ranges in ascending order: zeros where nothing is stored. Memory stays constant.
 */
final class RawBitmap {
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final OutputStream out;
    private final long total;
    private long written;

    RawBitmap(OutputStream out, long bitCount) {
        this.out = out;
        this.total = (bitCount + 7) / 8;
    }

    /** Bytes of the bitmap this writes. */
    long length() {
        return total;
    }

    /** The serialized bytes from bit {@code firstBit} (a multiple of 8) on. */
    void range(long firstBit, byte[] bytes) {
        long at = firstBit / 8;
        zerosUpTo(Math.min(at, total));
        long from = written - at;
        if (from >= bytes.length || written >= total) {
            return;
        }
        int n = (int) Math.min(bytes.length - from, total - written);
        write(bytes, (int) from, n);
    }

    void finish() {
        zerosUpTo(total);
    }

    private void zerosUpTo(long position) {
        while (written < position) {
            write(ZEROS, 0, (int) Math.min(ZEROS.length, position - written));
        }
    }

    private void write(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written += len;
    }
}
