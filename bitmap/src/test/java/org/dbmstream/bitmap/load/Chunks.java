package org.dbmstream.bitmap.load;

import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.chunk.MigrationSequencer;

/** Builds chunk sequences for load tests with the project's QEMU-exact save side. */
final class Chunks {
    static final long MIB = 1L << 20;

    private Chunks() {
    }

    /** A bitmap of {@code size} bytes at granularity {@code g} with the given byte ranges dirty. */
    static DirtyBitmap bitmap(long size, long g, long... startLengthPairs) {
        DirtyBitmap b = new DirtyBitmap(size, Granularity.of(g));
        for (int i = 0; i < startLengthPairs.length; i += 2) {
            b.markDirty(startLengthPairs[i], startLengthPairs[i + 1]);
        }
        return b;
    }

    /** Every chunk QEMU's save side sends for these bitmaps: STARTs, EOS, BITS, COMPLETEs, final EOS. */
    static List<Chunk> migration(MigrationBitmap... bitmaps) {
        List<Chunk> out = new ArrayList<>();
        MigrationSequencer seq = new MigrationSequencer(List.of(bitmaps));
        seq.setup(out::add);
        seq.complete(out::add);
        return out;
    }

    static MigrationBitmap sent(String nodeAlias, String bitmapAlias, boolean enabled, boolean persistent,
            DirtyBitmap bits) {
        return new MigrationBitmap(nodeAlias, bitmapAlias, enabled, persistent, bits);
    }

    static Chunk.Start start(String node, String bitmap, long g, long size) {
        return Chunk.Start.of(node, bitmap, Granularity.of(g), false, false, size);
    }

    static List<Chunk.Bits> bits(String node, String bitmap, DirtyBitmap b) {
        List<Chunk.Bits> out = new ArrayList<>();
        new BitmapChunker(b, node, bitmap).forEach(out::add);
        return out;
    }

    static Chunk.Complete complete(String node, String bitmap) {
        return new Chunk.Complete(node, bitmap);
    }

    static Chunk.EndOfStream eos(String... nodeBitmapPairs) {
        List<Chunk.BitmapRef> refs = new ArrayList<>();
        for (int i = 0; i < nodeBitmapPairs.length; i += 2) {
            refs.add(new Chunk.BitmapRef(nodeBitmapPairs[i], nodeBitmapPairs[i + 1]));
        }
        return new Chunk.EndOfStream(refs);
    }

    /** Events of one type. */
    static <T extends LoadEvent> List<T> of(List<LoadEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
