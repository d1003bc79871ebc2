package org.dbmstream.bitmap.chunk;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.dbmstream.bitmap.QemuConstants;
import org.dbmstream.bitmap.SerializedBitmap;

/**
 * Cuts one bitmap into BITS chunks exactly as QEMU's save side ({@code send_bitmap_bits}): the
 * serialized bits of each {@link ChunkLayout} range, zero-padded to a multiple of 32 bytes; an all-zero
 * buffer becomes a ZEROES chunk (payload null). The width is QEMU's 1 KiB unless a wider {@link ChunkSize}
 * is given. Chunks are made one at a time when asked for, so a large
 * bitmap, read lazily, never has all its buffers in memory.
 */
public final class BitmapChunker implements Iterable<Chunk.Bits> {
    /** Compared against for the all-zero check; no buffer QEMU's layout makes is longer. */
    private static final byte[] ZEROS = new byte[QemuConstants.MAX_BUFFER_SIZE];

    private final SerializedBitmap bitmap;
    private final String nodeAlias;
    private final String bitmapAlias;
    private final ChunkLayout layout;

    /** Chunks of QEMU's width (1 KiB of bitmap). */
    public BitmapChunker(SerializedBitmap bitmap, String nodeAlias, String bitmapAlias) {
        this(bitmap, nodeAlias, bitmapAlias, ChunkSize.QEMU);
    }

    /** Chunks of {@code chunkSize} of bitmap each (the last one shorter). */
    public BitmapChunker(SerializedBitmap bitmap, String nodeAlias, String bitmapAlias, ChunkSize chunkSize) {
        this.bitmap = Objects.requireNonNull(bitmap, "bitmap");
        this.nodeAlias = Objects.requireNonNull(nodeAlias, "nodeAlias");
        this.bitmapAlias = Objects.requireNonNull(bitmapAlias, "bitmapAlias");
        this.layout = new ChunkLayout(bitmap.diskSize(), bitmap.granularity(), chunkSize);
    }

    public ChunkLayout layout() {
        return layout;
    }

    /** Number of BITS chunks this bitmap is sent in. */
    public long chunkCount() {
        return layout.chunkCount();
    }

    /** Builds chunk {@code index} (reads only that range of the bitmap). */
    public Chunk.Bits chunk(long index) {
        long first = layout.firstSector(index);
        long sectors = layout.sectors(index);
        byte[] buf = new byte[(int) layout.bufferSize(index)];
        if (buf.length > 0) {
            bitmap.serializeInto(layout.firstBit(index), layout.bits(index), buf, 0);
        }
        return new Chunk.Bits(nodeAlias, bitmapAlias, first, sectors, isZero(buf) ? null : buf);
    }

    /** All chunks in order, made lazily. */
    @Override
    public Iterator<Chunk.Bits> iterator() {
        return iterator(0);
    }

    /** Chunks from {@code fromIndex} on, made lazily (resuming a bulk phase, or sampling). */
    public Iterator<Chunk.Bits> iterator(long fromIndex) {
        if (fromIndex < 0 || fromIndex > layout.chunkCount()) {
            throw new IndexOutOfBoundsException("chunk " + fromIndex + " of " + layout.chunkCount());
        }
        return new Iterator<>() {
            private long next = fromIndex;

            @Override
            public boolean hasNext() {
                return next < layout.chunkCount();
            }

            @Override
            public Chunk.Bits next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("no chunk after " + (next - 1));
                }
                return chunk(next++);
            }
        };
    }

    /** All chunks in order as a sequential stream, made lazily. */
    public Stream<Chunk.Bits> stream() {
        Spliterator<Chunk.Bits> s = Spliterators.spliterator(iterator(), layout.chunkCount(),
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE);
        return StreamSupport.stream(s, false);
    }

    private static boolean isZero(byte[] buf) {
        // Arrays.mismatch is a vectorized intrinsic: on the publisher's thread a byte loop here cost
        // about as much as cutting the chunk itself
        return buf.length <= ZEROS.length ? Arrays.mismatch(buf, 0, buf.length, ZEROS, 0, buf.length) < 0
                : Arrays.equals(buf, new byte[buf.length]);
    }
}
