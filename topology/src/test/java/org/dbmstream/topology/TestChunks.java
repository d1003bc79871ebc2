package org.dbmstream.topology;

import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.chunk.MigrationSequencer;

/** Chunk sequences cut by the project's QEMU-exact save side, for topology tests. */
final class TestChunks {
    static final long MIB = 1L << 20;

    private TestChunks() {
    }

    static DirtyBitmap bitmap(long size, long g, long... startLengthPairs) {
        DirtyBitmap b = new DirtyBitmap(size, Granularity.of(g));
        for (int i = 0; i < startLengthPairs.length; i += 2) {
            b.markDirty(startLengthPairs[i], startLengthPairs[i + 1]);
        }
        return b;
    }

    static MigrationBitmap sent(String nodeAlias, String bitmapAlias, boolean enabled, boolean persistent,
            DirtyBitmap bits) {
        return new MigrationBitmap(nodeAlias, bitmapAlias, enabled, persistent, bits);
    }

    /** STARTs, EOS, BITS, COMPLETEs and the final EOS with the manifest, as QEMU's save side orders them. */
    static List<Chunk> migration(MigrationBitmap... bitmaps) {
        return migration(ChunkSize.QEMU, bitmaps);
    }

    /** The same with BITS chunks of {@code width} of bitmap each. */
    static List<Chunk> migration(ChunkSize width, MigrationBitmap... bitmaps) {
        List<Chunk> out = new ArrayList<>();
        MigrationSequencer seq = new MigrationSequencer(List.of(bitmaps), width);
        seq.setup(out::add);
        seq.complete(out::add);
        return out;
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
}
