package org.dbmstream.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.chunk.MigrationSequencer;
import org.junit.jupiter.api.Test;

class BitmapChunkSourceTest {
    private static final long MIB64 = 64L << 20;

    private static List<NamedBitmap> bitmaps() {
        DirtyBitmap a = new DirtyBitmap(MIB64, Granularity.of(65536));
        a.markDirty(0, 65536);
        a.markDirty(32L << 20, 1 << 20);
        DirtyBitmap b = new DirtyBitmap(MIB64, Granularity.of(4096));
        b.markDirty(63L << 20, 12288);
        DirtyBitmap c = new DirtyBitmap(MIB64 + 512, Granularity.of(512));
        c.markDirty(MIB64, 512);
        return List.of(
                new NamedBitmap("disk0", "a", new MigrationBitmap("disk0", "a", true, true, a)),
                new NamedBitmap("disk0", "b", new MigrationBitmap("disk0", "b", false, true, b)),
                new NamedBitmap("disk1", "c", new MigrationBitmap("d1", "c-alias", true, false, c)));
    }

    private static List<SequencedChunk> drain(ChunkSource s) {
        List<SequencedChunk> out = new ArrayList<>();
        while (s.hasNext()) {
            out.add(s.next());
        }
        return out;
    }

    @Test
    void sameChunksAsTheSequencerInQemusOrder() {
        MigrationSequencer seq = new MigrationSequencer(bitmaps().stream().map(NamedBitmap::bitmap).toList());
        List<Chunk> expected = new ArrayList<>();
        seq.setup(expected::add);
        seq.iterate(expected::add, () -> false);
        seq.complete(expected::add);

        BitmapChunkSource source = new BitmapChunkSource(bitmaps());
        List<SequencedChunk> got = drain(source);
        assertThat(got).extracting(SequencedChunk::chunk).containsExactlyElementsOf(expected);
        assertThat(source.size()).isEqualTo(expected.size());
        // START x3, EOS, BITS..., EOS, COMPLETE x3, EOS(manifest)
        assertThat(got.get(3).chunk()).isEqualTo(Chunk.EndOfStream.empty());
        assertThat(got.get(got.size() - 1).chunk()).isEqualTo(new Chunk.EndOfStream(List.of(
                new Chunk.BitmapRef("disk0", "a"), new Chunk.BitmapRef("disk0", "b"),
                new Chunk.BitmapRef("d1", "c-alias"))));
    }

    @Test
    void perKeySequencesAreContiguousFromZero() {
        Map<String, Long> next = new HashMap<>();
        for (SequencedChunk c : drain(new BitmapChunkSource(bitmaps()))) {
            String key = key(c.chunk());
            assertThat(c.sequence()).as("seq of %s", key).isEqualTo(next.getOrDefault(key, 0L));
            next.put(key, c.sequence() + 1);
        }
        assertThat(next).containsEntry("/", 3L);
        // 64 MiB at 64 KiB: 1 bits chunk; START + BITS + COMPLETE
        assertThat(next).containsEntry("disk0/a", 3L);
    }

    @Test
    void pendingFollowsQemusEstimate() {
        BitmapChunkSource source = new BitmapChunkSource(bitmaps());
        long total = 1024 + 16384 + (MIB64 / 512 + 1);
        assertThat(source.totalBits()).isEqualTo(total);
        List<SequencedChunk> all = drain(source);
        assertThat(all.get(0).pendingBits()).isEqualTo(total);
        SequencedChunk firstBits = all.stream().filter(c -> c.chunk() instanceof Chunk.Bits).findFirst().orElseThrow();
        assertThat(firstBits.pendingBits()).isEqualTo(total - 1024);
        long previous = total;
        for (SequencedChunk c : all) {
            assertThat(c.pendingBits()).isLessThanOrEqualTo(previous);
            previous = c.pendingBits();
        }
        assertThat(previous).isZero();
    }

    @Test
    void skippingResumesExactlyWhereASenderStopped() {
        List<SequencedChunk> all = drain(new BitmapChunkSource(bitmaps()));
        for (int stop = 0; stop <= all.size(); stop++) {
            BitmapChunkSource resumed = new BitmapChunkSource(bitmaps());
            resumed.skip(stop);
            assertThat(resumed.pendingBits()).isEqualTo(stop == 0 ? resumed.totalBits() : all.get(stop - 1).pendingBits());
            assertThat(drain(resumed)).as("resumed at %d", stop).isEqualTo(all.subList(stop, all.size()));
        }
        assertThatThrownBy(() -> new BitmapChunkSource(bitmaps()).skip(all.size() + 1))
                .hasMessageContaining("cannot skip");
    }

    @Test
    void noBitmapsStillEndsWithAnEmptyManifest() {
        List<SequencedChunk> all = drain(new BitmapChunkSource(List.of()));
        assertThat(all).extracting(SequencedChunk::chunk).containsOnly(Chunk.EndOfStream.empty()).hasSize(3);
        assertThat(all).extracting(SequencedChunk::sequence).containsExactly(0L, 1L, 2L);
    }

    static String key(Chunk c) {
        if (c instanceof Chunk.Start s) {
            return s.nodeAlias() + "/" + s.bitmapAlias();
        }
        if (c instanceof Chunk.Bits b) {
            return b.nodeAlias() + "/" + b.bitmapAlias();
        }
        if (c instanceof Chunk.Complete cp) {
            return cp.nodeAlias() + "/" + cp.bitmapAlias();
        }
        return "/";
    }
}
