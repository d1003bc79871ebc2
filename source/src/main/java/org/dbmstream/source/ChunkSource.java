package org.dbmstream.source;

import java.util.Iterator;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * The chunks of one migration, pulled one at a time in sending order, each with its per-key sequence
 * number. Deterministic: the same input always yields the same chunks, so a sender that stopped after
 * {@code n} chunks can {@link #skip} them and resume without duplicating or losing any.
 */
public interface ChunkSource extends Iterator<SequencedChunk>, AutoCloseable {

    /** The bitmaps this migration sends, as the final EndOfStream lists them. */
    List<Chunk.BitmapRef> manifest();

    /** The bitmaps with their names and geometry, in sending order. */
    List<PublishedBitmap> bitmaps();

    /** Number of chunks in all. */
    long size();

    /** Bits of all bitmaps: the pending estimate before anything is sent. */
    long totalBits();

    /** QEMU's pending estimate now: bits of bitmaps whose bulk phase is not done. */
    long pendingBits();

    /** Skips the next {@code n} chunks without producing them (cheap where the source allows). */
    void skip(long n);

    @Override
    default void close() {
    }
}
