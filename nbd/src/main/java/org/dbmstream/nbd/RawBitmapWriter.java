package org.dbmstream.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.Granularity;

/**
 * Writes a bitmap in QEMU's serialized form (bit k is bit k%8 of byte k/8) to a file, bit ranges in
 * increasing order, through one window of {@link #WINDOW} bytes: memory stays bounded whatever the bitmap's
 * size, all-zero windows are never written (the file may end early; the rest reads as zero), and QEMU's
 * sha256/count are computed on the way.
 */
final class RawBitmapWriter implements AutoCloseable {
    static final int WINDOW = 64 * 1024;

    private final FileChannel channel;
    private final long totalBytes;
    private final BitmapDigest digest;
    private final byte[] window = new byte[WINDOW];
    private long windowIndex;
    private boolean windowDirty;
    private BitmapDigest.Result result;

    RawBitmapWriter(final Path file, final long bitCount, final Granularity granularity) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        this.totalBytes = (bitCount + 7) >>> 3;
        this.digest = new BitmapDigest(granularity);
    }

    /** Sets bits {@code [from, to)}; calls must come in increasing order. */
    void set(final long from, final long to) throws IOException {
        long bit = from;
        while (bit < to) {
            moveTo(bit >>> 3);
            final long windowEndBit = (windowIndex + 1) * WINDOW * 8L;
            final long stop = Math.min(to, windowEndBit);
            final long base = windowIndex * WINDOW * 8L;
            long b = bit;
            // leading bits up to a byte boundary, whole bytes, trailing bits
            while (b < stop && (b & 7) != 0) {
                setBit(b++ - base);
            }
            final long wholeBytes = (stop - b) >>> 3;
            if (wholeBytes > 0) {
                final int at = (int) ((b - base) >>> 3);
                Arrays.fill(window, at, at + (int) wholeBytes, (byte) 0xff);
                b += wholeBytes * 8;
            }
            while (b < stop) {
                setBit(b++ - base);
            }
            windowDirty = true;
            bit = stop;
        }
    }

    private void setBit(final long bitInWindow) {
        window[(int) (bitInWindow >>> 3)] |= (byte) (1 << (bitInWindow & 7));
    }

    private void moveTo(final long byteIndex) throws IOException {
        while (windowIndex < byteIndex / WINDOW) {
            flushWindow();
            windowIndex++;
        }
    }

    private void flushWindow() throws IOException {
        final long start = windowIndex * WINDOW;
        final int len = (int) Math.max(0, Math.min(WINDOW, totalBytes - start));
        if (windowDirty) {
            final ByteBuffer buf = ByteBuffer.wrap(window, 0, len);
            while (buf.hasRemaining()) {
                channel.write(buf, start + buf.position());
            }
            digest.update(window, 0, len);
            Arrays.fill(window, (byte) 0);
            windowDirty = false;
        } else {
            digest.updateZeros(len);
        }
    }

    /** Flushes the rest and returns QEMU's sha256/count of the bitmap written. */
    BitmapDigest.Result finish() throws IOException {
        if (result == null) {
            moveTo(Math.max(0, totalBytes - 1));
            flushWindow();
            windowIndex = Long.MAX_VALUE / WINDOW;
            channel.force(false);
            result = digest.finish();
        }
        return result;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
