package org.dbmstream.source.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.source.ChunkSource;
import org.dbmstream.source.PublishedBitmap;
import org.dbmstream.source.SequencedChunk;

/**
 * The chunks of one sync round's migration, in QEMU's save-side order: a START for every bitmap it sends
 * (whole: with its announced sha256/count; delta: on the remembered version; removal), EOS, the BITS of each
 * whole bitmap and of each delta's changed chunks, EOS, COMPLETE for every bitmap but the removals, and the
 * final EndOfStream with the manifest. Deterministic, so a sender can resume at a position.
 *
 * <p>Per-key sequence numbers: START 0, the bitmap's BITS from 1, its COMPLETE after them.
 */
public final class RoundChunkSource implements ChunkSource {
    private final List<Entry> entries = new ArrayList<>();
    private final long bulkEos;
    private final long size;
    private final long totalBits;
    private long position;
    private long pending;
    private int current;

    /** One bitmap of the round: its action, chunker and the chunks it sends. */
    private record Entry(RoundPlan.Action action, BitmapChunker chunker, long[] indices, long bitsStart) {
        long count() {
            return indices == null ? (chunker == null ? 0 : chunker.chunkCount()) : indices.length;
        }

        long index(long j) {
            return indices == null ? j : indices[(int) j];
        }
    }

    public RoundChunkSource(List<RoundPlan.Action> sending) {
        long pos = sending.size() + 1L;
        long bits = 0;
        for (RoundPlan.Action a : sending) {
            BitmapChunker chunker = a.kind() == RoundPlan.Kind.REMOVE ? null : ScannedBitmap.chunker(a.scanned().bitmap());
            long[] indices = a.kind() == RoundPlan.Kind.DELTA ? a.changed() : null;
            Entry e = new Entry(a, chunker, indices, pos);
            entries.add(e);
            pos += e.count();
            for (long j = 0; j < e.count(); j++) {
                bits += chunker.layout().bits(e.index(j));
            }
        }
        bulkEos = pos;
        long completes = sending.stream().filter(a -> a.kind() != RoundPlan.Kind.REMOVE).count();
        size = pos + 1 + completes + 1;
        totalBits = bits;
        pending = bits;
    }

    /** The START that announces {@code a}. */
    static Chunk.Start start(RoundPlan.Action a) {
        if (a.kind() == RoundPlan.Kind.REMOVE) {
            RememberedVersion r = a.remembered();
            return Chunk.Start.of(r.nodeAlias(), r.bitmapAlias(), Granularity.of(r.granularity()), r.enabled(),
                    r.persistent(), r.size()).versioned(Chunk.Version.removal(), 0);
        }
        ScannedBitmap s = a.scanned();
        Chunk.Version v = a.kind() == RoundPlan.Kind.DELTA
                ? Chunk.Version.delta(a.remembered().sha256(), s.digest().sha256(), s.digest().count())
                : Chunk.Version.whole(s.digest().sha256(), s.digest().count());
        return s.bitmap().start().versioned(v, s.readTime());
    }

    private static Chunk.BitmapRef ref(RoundPlan.Action a) {
        return a.kind() == RoundPlan.Kind.REMOVE
                ? new Chunk.BitmapRef(a.remembered().nodeAlias(), a.remembered().bitmapAlias())
                : a.scanned().bitmap().ref();
    }

    @Override
    public List<Chunk.BitmapRef> manifest() {
        return entries.stream().map(e -> ref(e.action())).toList();
    }

    @Override
    public List<PublishedBitmap> bitmaps() {
        List<PublishedBitmap> out = new ArrayList<>();
        for (Entry e : entries) {
            RoundPlan.Action a = e.action();
            if (a.kind() == RoundPlan.Kind.REMOVE) {
                RememberedVersion r = a.remembered();
                out.add(new PublishedBitmap(r.id().node(), r.nodeAlias(), r.id().bitmap(), r.bitmapAlias(),
                        r.granularity(), r.size(), r.enabled(), r.persistent()));
            } else {
                ScannedBitmap s = a.scanned();
                out.add(new PublishedBitmap(s.nodeName(), s.bitmap().nodeAlias(), s.bitmapName(),
                        s.bitmap().bitmapAlias(), s.granularity(), s.size(), s.bitmap().enabled(),
                        s.bitmap().persistent()));
            }
        }
        return out;
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

    @Override
    public boolean hasNext() {
        return position < size;
    }

    @Override
    public SequencedChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("round has " + size + " chunks");
        }
        int n = entries.size();
        long p = position++;
        if (p < n) {
            return new SequencedChunk(start(entries.get((int) p).action()), 0, pending);
        }
        if (p == n) {
            return new SequencedChunk(Chunk.EndOfStream.empty(), 0, pending);
        }
        if (p < bulkEos) {
            while (p >= entries.get(current).bitsStart() + entries.get(current).count()) {
                current++;
            }
            Entry e = entries.get(current);
            long j = p - e.bitsStart();
            long index = e.index(j);
            pending -= e.chunker().layout().bits(index);
            return new SequencedChunk(e.chunker().chunk(index), 1 + j, pending);
        }
        if (p == bulkEos) {
            return new SequencedChunk(Chunk.EndOfStream.empty(), 1, pending);
        }
        if (p < size - 1) {
            Entry e = completing((int) (p - bulkEos - 1));
            return new SequencedChunk(e.action().scanned().bitmap().complete(), 1 + e.count(), pending);
        }
        return new SequencedChunk(new Chunk.EndOfStream(manifest()), 2, pending);
    }

    /** The {@code i}-th entry that has a COMPLETE (removals have none). */
    private Entry completing(int i) {
        int seen = 0;
        for (Entry e : entries) {
            if (e.action().kind() != RoundPlan.Kind.REMOVE && seen++ == i) {
                return e;
            }
        }
        throw new IllegalStateException("no COMPLETE number " + i);
    }

    @Override
    public void skip(long count) {
        for (long i = 0; i < count; i++) {
            next();
        }
    }
}
