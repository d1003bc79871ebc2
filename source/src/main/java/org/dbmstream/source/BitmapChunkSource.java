package org.dbmstream.source;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.ChunkSize;

/**
 * The chunks of a migration of in-hand bitmaps, in QEMU's save-side order with the whole bulk phase in
 * one iteration: START for every bitmap, EOS; every bitmap's BITS/ZEROES chunks, EOS; COMPLETE for
 * every bitmap, the final EOS with the manifest. (The rate limit throttles sending instead of cutting
 * the bulk phase into iterations, so the sequence is the same on every run and can be resumed by
 * position.) Chunks are cut lazily, one at a time, by the bitmap module's {@link BitmapChunker}, as wide as
 * the {@link ChunkSize} asks.
 *
 * <p>Per-key sequence numbers follow from positions: a bitmap's START is 0, its BITS chunk {@code j} is
 * {@code 1 + j}, its COMPLETE {@code 1 + chunks}; the three EndOfStream chunks are 0, 1, 2.
 */
public final class BitmapChunkSource implements ChunkSource {
    private final List<NamedBitmap> bitmaps;
    private final List<BitmapChunker> chunkers = new ArrayList<>();
    /** Position of each bitmap's first BITS chunk. */
    private final long[] bitsStart;
    private final long bulkEos;
    private final long size;
    private final long totalBits;
    private long position;
    private long pending;
    /** Bitmap whose BITS are next (valid in the bulk phase). */
    private int current;

    /** QEMU's chunks: 1 KiB of bitmap each. */
    public BitmapChunkSource(List<NamedBitmap> bitmaps) {
        this(bitmaps, ChunkSize.QEMU);
    }

    /** Chunks of {@code chunkSize} of bitmap each (a bitmap's last one shorter). */
    public BitmapChunkSource(List<NamedBitmap> bitmaps, ChunkSize chunkSize) {
        this.bitmaps = List.copyOf(bitmaps);
        int n = this.bitmaps.size();
        bitsStart = new long[n];
        long pos = n + 1L;
        long bits = 0;
        for (int i = 0; i < n; i++) {
            var b = this.bitmaps.get(i).bitmap();
            BitmapChunker chunker = new BitmapChunker(b.bits(), b.nodeAlias(), b.bitmapAlias(), chunkSize);
            chunkers.add(chunker);
            bitsStart[i] = pos;
            pos += chunker.chunkCount();
            bits += chunker.layout().remainingBits(0);
        }
        bulkEos = pos;
        size = pos + 1 + n + 1;
        totalBits = bits;
        pending = bits;
    }

    @Override
    public List<Chunk.BitmapRef> manifest() {
        return bitmaps.stream().map(b -> b.bitmap().ref()).toList();
    }

    @Override
    public List<PublishedBitmap> bitmaps() {
        return bitmaps.stream().map(NamedBitmap::describe).toList();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long totalBits() {
        return totalBits;
    }

    @Override
    public long pendingBits() {
        return pending;
    }

    /** The pending estimate at {@code position}, computed from scratch (after a skip). */
    private long pendingAt(long pos) {
        long sum = 0;
        for (int i = 0; i < chunkers.size(); i++) {
            long next = Math.max(0, pos - bitsStart[i]);
            BitmapChunker c = chunkers.get(i);
            if (next < c.chunkCount()) {
                sum += c.layout().remainingBits(c.layout().firstSector(next));
            }
        }
        return sum;
    }

    @Override
    public boolean hasNext() {
        return position < size;
    }

    @Override
    public SequencedChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("migration has " + size + " chunks");
        }
        int n = bitmaps.size();
        long p = position;
        Chunk chunk;
        long seq;
        if (p < n) {
            chunk = bitmaps.get((int) p).bitmap().start();
            seq = 0;
        } else if (p == n) {
            chunk = Chunk.EndOfStream.empty();
            seq = 0;
        } else if (p < bulkEos) {
            while (p >= bitsStart[current] + chunkers.get(current).chunkCount()) {
                current++;
            }
            long index = p - bitsStart[current];
            Chunk.Bits bits = chunkers.get(current).chunk(index);
            var layout = chunkers.get(current).layout();
            // this bitmap's bulk phase advanced past the chunk: QEMU's estimate drops accordingly
            pending -= layout.remainingBits(bits.firstSector())
                    - layout.remainingBits(bits.firstSector() + bits.sectors());
            chunk = bits;
            seq = 1 + index;
        } else if (p == bulkEos) {
            chunk = Chunk.EndOfStream.empty();
            seq = 1;
        } else if (p < size - 1) {
            int i = (int) (p - bulkEos - 1);
            chunk = bitmaps.get(i).bitmap().complete();
            seq = 1 + chunkers.get(i).chunkCount();
        } else {
            chunk = new Chunk.EndOfStream(manifest());
            seq = 2;
        }
        position++;
        return new SequencedChunk(chunk, seq, pending);
    }

    @Override
    public void skip(long count) {
        if (count < 0 || count > size - position) {
            throw new IllegalArgumentException("cannot skip " + count + " of the " + (size - position)
                    + " chunks left");
        }
        position += count;
        current = 0;
        if (position > bitmaps.size() && position < bulkEos) {
            while (position >= bitsStart[current] + chunkers.get(current).chunkCount()) {
                current++;
            }
        }
        pending = pendingAt(position);
    }
}
