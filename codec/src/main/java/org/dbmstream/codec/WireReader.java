package org.dbmstream.codec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Big-endian reader over a byte stream that knows its offset and can look ahead a few bytes. QEMU's
 * formats have no length fields for most things, so readers must peek (a section footer) and report
 * exact offsets on errors. Reads never allocate more than the caller asked for, and callers check
 * sizes from the stream before asking.
 */
public final class WireReader {
    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int lim;
    /** Stream offset of {@code buf[0]}. */
    private long base;
    private boolean eof;

    /** Reads {@code in}; the first byte read is at offset {@code startOffset}. */
    public WireReader(InputStream in, long startOffset) {
        this.in = in;
        this.buf = new byte[BUFFER];
        this.base = startOffset;
    }

    private WireReader(byte[] data) {
        this.in = InputStream.nullInputStream();
        this.buf = data.clone();
        this.lim = data.length;
        this.eof = true;
    }

    /** Reads (a copy of) a byte array whose first byte is at offset 0. */
    public static WireReader of(byte[] data) {
        return new WireReader(data);
    }

    /** Offset of the next byte to be read. */
    public long position() {
        return base + pos;
    }

    /** True when no byte is left. */
    public boolean atEnd() throws IOException {
        return !fill(1);
    }

    /**
     * The byte {@code ahead} bytes past the current position (0..1023), or -1 if the input ends
     * before it. Consumes nothing.
     */
    public int peek(int ahead) throws IOException {
        if (ahead < 0 || ahead >= 1024) {
            throw new IllegalArgumentException("peek distance " + ahead);
        }
        return fill(ahead + 1) ? buf[pos + ahead] & 0xff : -1;
    }

    public int readU8(String field) throws IOException {
        require(1, field);
        return buf[pos++] & 0xff;
    }

    public int readBe16(String field) throws IOException {
        require(2, field);
        int v = (buf[pos] & 0xff) << 8 | buf[pos + 1] & 0xff;
        pos += 2;
        return v;
    }

    /** An unsigned big-endian 32-bit value. */
    public long readBe32(String field) throws IOException {
        require(4, field);
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | buf[pos + i] & 0xff;
        }
        pos += 4;
        return v;
    }

    /** A big-endian 64-bit value (unsigned on the wire; may come back negative). */
    public long readBe64(String field) throws IOException {
        require(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | buf[pos + i] & 0xff;
        }
        pos += 8;
        return v;
    }

    /**
     * Reads exactly {@code n} bytes; the caller has bounded {@code n}. Beyond one buffer's worth the
     * array grows with the bytes actually read, so a length field claiming more than the input holds
     * costs no more memory than the input.
     */
    public byte[] readBytes(int n, String field) throws IOException {
        long fieldOffset = position();
        byte[] out = new byte[Math.min(n, BUFFER)];
        int done = 0;
        while (done < n) {
            if (!fill(1)) {
                throw new InputTruncatedException(field, fieldOffset, n, position());
            }
            if (done == out.length) {
                out = Arrays.copyOf(out, (int) Math.min(n, 2L * out.length));
            }
            int k = Math.min(out.length - done, lim - pos);
            System.arraycopy(buf, pos, out, done, k);
            pos += k;
            done += k;
        }
        return out;
    }

    /** Skips exactly {@code n} bytes without holding them. */
    public void skip(long n, String field) throws IOException {
        long fieldOffset = position();
        long left = n;
        while (left > 0) {
            if (!fill(1)) {
                throw new InputTruncatedException(field, fieldOffset, n, position());
            }
            int k = (int) Math.min(left, lim - pos);
            pos += k;
            left -= k;
        }
    }

    private void require(int n, String field) throws IOException {
        if (!fill(n)) {
            long fieldOffset = position();
            long end = base + lim;
            pos = lim;
            throw new InputTruncatedException(field, fieldOffset, n, end);
        }
    }

    /** Makes at least {@code n} bytes available from {@code pos}; false if the input ends first. */
    private boolean fill(int n) throws IOException {
        if (lim - pos >= n) {
            return true;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            base += pos;
            lim -= pos;
            pos = 0;
        }
        while (lim < n && !eof) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                eof = true;
            } else {
                lim += r;
            }
        }
        return lim - pos >= n;
    }
}
