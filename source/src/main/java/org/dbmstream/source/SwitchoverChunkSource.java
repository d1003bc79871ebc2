package org.dbmstream.source;

import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * Another source's chunks with a {@link Chunk.Switchover} inserted before its chunk {@code at}: where
 * QEMU's destination starts the VM (the RUN command of a postcopy stream, or right after the STARTs as
 * {@code migrate-start-postcopy} at once does). The switchover shares the migration-wide key with the
 * EndOfStream chunks, so it takes sequence number {@code sequence} and every later EndOfStream moves up
 * by one; the result is as deterministic as the source, so skipping still resumes exactly.
 */
public final class SwitchoverChunkSource implements ChunkSource {
    private final ChunkSource inner;
    private final long at;
    private final long sequence;
    private long innerPosition;
    private boolean inserted;

    /**
     * @param at       the inner chunk the switchover goes before (0..size)
     * @param sequence the switchover's sequence number: the number of EndOfStream chunks before {@code at}
     */
    public SwitchoverChunkSource(ChunkSource inner, long at, long sequence) {
        if (at < 0 || at > inner.size()) {
            throw new IllegalArgumentException("switchover position " + at + " outside 0.." + inner.size());
        }
        this.inner = inner;
        this.at = at;
        this.sequence = sequence;
    }

    @Override
    public List<Chunk.BitmapRef> manifest() {
        return inner.manifest();
    }

    @Override
    public List<PublishedBitmap> bitmaps() {
        return inner.bitmaps();
    }

    @Override
    public long size() {
        return inner.size() + 1;
    }

    @Override
    public long totalBits() {
        return inner.totalBits();
    }

    @Override
    public long pendingBits() {
        return inner.pendingBits();
    }

    @Override
    public boolean hasNext() {
        return !inserted && innerPosition == at || inner.hasNext();
    }

    @Override
    public SequencedChunk next() {
        if (!inserted && innerPosition == at) {
            inserted = true;
            return new SequencedChunk(new Chunk.Switchover(), sequence, inner.pendingBits());
        }
        SequencedChunk c = inner.next();
        innerPosition++;
        if (inserted && c.chunk() instanceof Chunk.EndOfStream) {
            return new SequencedChunk(c.chunk(), c.sequence() + 1, c.pendingBits());
        }
        return c;
    }

    @Override
    public void skip(long n) {
        long before = inserted ? 0 : Math.min(n, at - innerPosition);
        inner.skip(before);
        innerPosition += before;
        long rest = n - before;
        if (rest > 0 && !inserted) {
            inserted = true;
            rest--;
        }
        inner.skip(rest);
        innerPosition += rest;
    }

    @Override
    public void close() {
        inner.close();
    }
}
