package org.dbmstream.source;

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
 * <p>A bitmap may also go in part ({@link Sent}): a sync round's delta sends only its changed chunks, and a
 * removal only its START (no COMPLETE follows).
 *
 * <p>Per-key sequence numbers follow from positions: a bitmap's START is 0, its BITS chunk {@code j} is
 * {@code 1 + j}, its COMPLETE {@code 1 + chunks}; the three EndOfStream chunks are 0, 1, 2.
 */
public final class BitmapChunkSource implements ChunkSource {

    /**
     * One bitmap as a migration sends it.
     *
     * @param start     its START
     * @param chunker   how its bits are cut (null: no BITS, a removal)
     * @param indices   the chunks that go, ascending (null: all of them)
     * @param completes whether a COMPLETE follows (false for a removal)
     * @param described names and geometry, as a publication reports them
     */
    public record Sent(Chunk.Start start, BitmapChunker chunker, long[] indices, boolean completes,
            PublishedBitmap described) {

        /** A whole bitmap, QEMU's way. */
        public static Sent whole(NamedBitmap b) {
            return whole(b, ChunkSize.QEMU);
        }

        /** A whole bitmap in chunks of {@code chunkSize}. */
        public static Sent whole(NamedBitmap b, ChunkSize chunkSize) {
            var bitmap = b.bitmap();
            return new Sent(bitmap.start(),
                    new BitmapChunker(bitmap.bits(), bitmap.nodeAlias(), bitmap.bitmapAlias(), chunkSize), null, true,
                    b.describe());
        }

        long count() {
            return chunker == null ? 0 : indices == null ? chunker.chunkCount() : indices.length;
        }

        long index(long j) {
            return indices == null ? j : indices[(int) j];
        }

        Chunk.BitmapRef ref() {
            return new Chunk.BitmapRef(start.nodeAlias(), start.bitmapAlias());
        }

        /** QEMU's pending estimate of this bitmap once its chunks before {@code j} are sent. */
        long remainingBits(long j) {
            if (j >= count()) {
                return 0;
            }
            if (indices == null) {
                return chunker.layout().remainingBits(chunker.layout().firstSector(j));
            }
            long sum = 0;
            for (long k = j; k < indices.length; k++) {
                sum += chunker.layout().bits(indices[(int) k]);
            }
            return sum;
        }

        /** Bits chunk {@code j} takes off the estimate. */
        long bitsOf(long j) {
            if (indices != null) {
                return chunker.layout().bits(indices[(int) j]);
            }
            var layout = chunker.layout();
            long first = layout.firstSector(j);
            return layout.remainingBits(first) - layout.remainingBits(first + layout.sectors(j));
        }
    }

    private final List<Sent> bitmaps;
    /** Position of each bitmap's first BITS chunk. */
    private final long[] bitsStart;
    /** The bitmaps with a COMPLETE, in order. */
    private final List<Sent> completing;
    private final long bulkEos;
    private final long size;
    private final long totalBits;
    private long position;
    private long pending;
    /** Bitmap whose BITS are next (valid in the bulk phase). */
    private int current;

    /** Whole bitmaps in QEMU's chunks: 1 KiB of bitmap each. */
    public BitmapChunkSource(List<NamedBitmap> bitmaps) {
        this(bitmaps, ChunkSize.QEMU);
    }

    /** Whole bitmaps in chunks of {@code chunkSize} of bitmap each (a bitmap's last one shorter). */
    public BitmapChunkSource(List<NamedBitmap> bitmaps, ChunkSize chunkSize) {
        this(bitmaps.stream().map(b -> Sent.whole(b, chunkSize)).toArray(Sent[]::new));
    }

    /** Bitmaps sent whole or in part. */
    public static BitmapChunkSource of(List<Sent> sent) {
        return new BitmapChunkSource(sent.toArray(Sent[]::new));
    }

    private BitmapChunkSource(Sent[] sent) {
        this.bitmaps = List.of(sent);
        int n = this.bitmaps.size();
        bitsStart = new long[n];
        long pos = n + 1L;
        long bits = 0;
        for (int i = 0; i < n; i++) {
            Sent s = this.bitmaps.get(i);
            bitsStart[i] = pos;
            pos += s.count();
            bits += s.remainingBits(0);
        }
        completing = this.bitmaps.stream().filter(Sent::completes).toList();
        bulkEos = pos;
        size = pos + 1 + completing.size() + 1;
        totalBits = bits;
        pending = bits;
    }

    @Override
    public List<Chunk.BitmapRef> manifest() {
        return bitmaps.stream().map(Sent::ref).toList();
    }

    @Override
    public List<PublishedBitmap> bitmaps() {
        return bitmaps.stream().map(Sent::described).toList();
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
        for (int i = 0; i < bitmaps.size(); i++) {
            sum += bitmaps.get(i).remainingBits(Math.max(0, pos - bitsStart[i]));
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
            chunk = bitmaps.get((int) p).start();
            seq = 0;
        } else if (p == n) {
            chunk = Chunk.EndOfStream.empty();
            seq = 0;
        } else if (p < bulkEos) {
            while (p >= bitsStart[current] + bitmaps.get(current).count()) {
                current++;
            }
            Sent s = bitmaps.get(current);
            long j = p - bitsStart[current];
            // this bitmap's bulk phase advanced past the chunk: QEMU's estimate drops accordingly
            pending -= s.bitsOf(j);
            chunk = s.chunker().chunk(s.index(j));
            seq = 1 + j;
        } else if (p == bulkEos) {
            chunk = Chunk.EndOfStream.empty();
            seq = 1;
        } else if (p < size - 1) {
            Sent s = completing.get((int) (p - bulkEos - 1));
            chunk = new Chunk.Complete(s.start().nodeAlias(), s.start().bitmapAlias());
            seq = 1 + s.count();
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
            while (position >= bitsStart[current] + bitmaps.get(current).count()) {
                current++;
            }
        }
        pending = pendingAt(position);
    }
}
