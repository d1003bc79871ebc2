package org.dbmstream.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;

/**
 * A bitmap stored raw in a file in QEMU's serialized form (bit k is bit k%8 of byte k/8), read range by
 * range as chunks are cut, never whole. The file may stop short (the rest reads as zero) but must not
 * hold bytes or set bits past the bitmap's end: such a file belongs to another disk size or granularity.
 */
public final class RawBitmapBits implements SerializedBitmap, AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final long diskSize;
    private final Granularity granularity;

    private RawBitmapBits(Path file, FileChannel channel, long diskSize, Granularity granularity) throws IOException {
        this.file = file;
        this.channel = channel;
        this.fileSize = channel.size();
        this.diskSize = diskSize;
        this.granularity = granularity;
    }

    /** Opens {@code file} as the bitmap of a {@code diskSize}-byte disk at {@code granularity}. */
    public static RawBitmapBits open(Path file, long diskSize, Granularity granularity) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            RawBitmapBits bits = new RawBitmapBits(file, ch, diskSize, granularity);
            bits.checkSize();
            return bits;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void checkSize() throws IOException {
        long bitCount = bitCount();
        long maxBytes = DirtyBitmap.serializationSize(0, bitCount);
        if (fileSize > maxBytes) {
            throw new IllegalArgumentException("raw bitmap " + file + " has " + fileSize + " bytes, but a bitmap of "
                    + bitCount + " bits (disk of " + diskSize + " bytes at granularity " + granularity + ") has at most "
                    + maxBytes);
        }
        long usedBytes = (bitCount + 7) / 8;
        if (fileSize > 0 && bitCount % 8 != 0 && fileSize >= usedBytes) {
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, usedBytes - 1);
            int spare = last.get(0) & 0xff & ~((1 << (bitCount % 8)) - 1);
            if (spare != 0) {
                throw new IllegalArgumentException("raw bitmap " + file + " sets bits past bit " + bitCount
                        + " (the last bit of a disk of " + diskSize + " bytes at granularity " + granularity + ")");
            }
        }
        if (fileSize > usedBytes) {
            ByteBuffer tail = ByteBuffer.allocate((int) (fileSize - usedBytes));
            channel.read(tail, usedBytes);
            for (byte b : tail.array()) {
                if (b != 0) {
                    throw new IllegalArgumentException("raw bitmap " + file + " sets bits past bit " + bitCount);
                }
            }
        }
    }

    @Override
    public long diskSize() {
        return diskSize;
    }

    @Override
    public Granularity granularity() {
        return granularity;
    }

    @Override
    public void serializeInto(long firstBit, long bits, byte[] dst, int offset) {
        int len = (int) DirtyBitmap.serializationSize(firstBit, bits);
        long from = firstBit >>> 3;
        int available = (int) Math.max(0, Math.min(len, fileSize - from));
        Arrays.fill(dst, offset, offset + len, (byte) 0);
        try {
            ByteBuffer buf = ByteBuffer.wrap(dst, offset, available);
            while (buf.hasRemaining()) {
                if (channel.read(buf, from + buf.position() - offset) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read raw bitmap " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
