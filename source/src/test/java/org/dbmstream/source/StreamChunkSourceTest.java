package org.dbmstream.source;

import org.dbmstream.testkit.QemuTestData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamChunkSourceTest {
    private static final Path MIG1_MIN = QemuTestData.dir().resolve("streams/mig1-min.stream");

    private static List<SequencedChunk> drain(ChunkSource s) {
        List<SequencedChunk> out = new ArrayList<>();
        while (s.hasNext()) {
            out.add(s.next());
        }
        return out;
    }

    @Test
    void republishesQemusChunksInStreamOrderWithTheManifestOnTheLastEos() throws IOException {
        try (StreamChunkSource s = StreamChunkSource.open(MIG1_MIN, 64L << 20)) {
            // mig1-min.chunks.txt: 6 START, EOS; EOS (PART); 7 BITS, 6 COMPLETE, EOS; the empty iteration's
            // EOS right after the setup's is coalesced into it
            assertThat(s.size()).isEqualTo(21);
            List<SequencedChunk> all = drain(s);
            assertThat(all).hasSize(21);
            assertThat(all.get(0).chunk()).isInstanceOf(Chunk.Start.class);
            Chunk.Start first = (Chunk.Start) all.get(0).chunk();
            assertThat(first.nodeAlias()).isEqualTo("disk0");
            assertThat(first.bitmapAlias()).isEqualTo("newpers");
            assertThat(first.flags()).isEqualTo(0x03);
            assertThat(first.diskSize()).isEqualTo(64L << 20);
            assertThat(all.get(6).chunk()).isEqualTo(Chunk.EndOfStream.empty());
            assertThat(all.get(7).chunk()).isInstanceOf(Chunk.Bits.class);
            Chunk.Bits rtdis = (Chunk.Bits) all.get(8).chunk();
            assertThat(rtdis.bitmapAlias()).isEqualTo("rtdis");
            assertThat(rtdis.zeroes()).isTrue();
            Chunk.EndOfStream last = (Chunk.EndOfStream) all.get(20).chunk();
            assertThat(last.manifest()).extracting(Chunk.BitmapRef::bitmapAlias)
                    .containsExactly("newpers", "rtdis", "rt1m", "persdis", "pers4k", "pers64k");
            assertThat(all).filteredOn(c -> c.chunk() instanceof Chunk.EndOfStream)
                    .extracting(SequencedChunk::sequence).containsExactly(0L, 1L);
            // pers4k: START 0, BITS 1 and 2, COMPLETE 3
            assertThat(all).filteredOn(c -> BitmapChunkSourceTest.key(c.chunk()).equals("disk0/pers4k"))
                    .extracting(SequencedChunk::sequence).containsExactly(0L, 1L, 2L, 3L);
            assertThat(s.pendingBits()).isZero();
            // 4 bitmaps at 64 KiB, 1 at 1 MiB, 1 at 4 KiB over 64 MiB
            assertThat(s.totalBits()).isEqualTo(4 * 1024 + 64 + 16384);
        }
    }

    @Test
    void startsCarryTheDiskSizeQemusStreamImplies() throws IOException {
        // QEMU's stream has no disk size; its last BITS chunk ends at the disk's end (64 MiB, as QEMU reported)
        long qemus = QemuTestData.jsonl("expected/streams-sha256.jsonl", "stream", "mig1").get(0).get("size").asLong();
        try (StreamChunkSource s = StreamChunkSource.open(MIG1_MIN, -1)) {
            assertThat(((Chunk.Start) s.next().chunk()).diskSize()).isEqualTo(qemus);
            assertThat(s.bitmaps()).extracting(PublishedBitmap::diskSize).containsOnly(qemus);
        }
    }

    @Test
    void aNodeWithoutACompletedBitmapKeepsAnUnknownSize(@TempDir Path tmp) throws IOException {
        // a stream cut short: disk0's bitmap got half of its chunks, disk1's all of them and COMPLETE
        Path cut = tmp.resolve("cut.stream");
        try (var out = Files.newOutputStream(cut)) {
            var w = new org.dbmstream.codec.savevm.SavevmWriter(out, "none");
            var g = org.dbmstream.bitmap.Granularity.of(65536);
            w.chunk(new Chunk.Start("disk0", "a", g, 0, -1));
            w.chunk(new Chunk.Start("disk1", "b", g, 0, -1));
            w.chunk(Chunk.EndOfStream.empty());
            w.chunk(Chunk.EndOfStream.empty());
            w.chunk(new Chunk.Bits("disk0", "a", 0, 1024, null));
            w.chunk(new Chunk.Bits("disk1", "b", 0, 4096, null));
            w.chunk(new Chunk.Complete("disk1", "b"));
            w.chunk(Chunk.EndOfStream.empty());
            w.finish();
        }
        try (StreamChunkSource s = StreamChunkSource.open(cut, -1)) {
            assertThat(s.bitmaps()).extracting(PublishedBitmap::nodeAlias, PublishedBitmap::diskSize)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("disk0", -1L),
                            org.assertj.core.groups.Tuple.tuple("disk1", 2L << 20));
            assertThat(((Chunk.Start) s.next().chunk()).diskSize()).isEqualTo(-1);
            assertThat(((Chunk.Start) s.next().chunk()).diskSize()).isEqualTo(2L << 20);
        }
    }

    @Test
    void skipResumes() throws IOException {
        List<SequencedChunk> all;
        try (StreamChunkSource s = StreamChunkSource.open(MIG1_MIN, -1)) {
            all = drain(s);
        }
        try (StreamChunkSource s = StreamChunkSource.open(MIG1_MIN, -1)) {
            s.skip(12);
            assertThat(drain(s)).isEqualTo(all.subList(12, 21));
        }
    }

    @Test
    void theGzippedFullStreamGivesTheSameChunks() throws IOException {
        List<Chunk> min;
        List<Chunk> full;
        try (StreamChunkSource s = StreamChunkSource.open(MIG1_MIN, -1)) {
            min = drain(s).stream().map(SequencedChunk::chunk).toList();
        }
        try (StreamChunkSource s = StreamChunkSource.open(QemuTestData.dir().resolve("streams/mig1.stream.gz"), -1)) {
            full = drain(s).stream().map(SequencedChunk::chunk)
                    .filter(c -> !(c.equals(Chunk.EndOfStream.empty()))).toList();
        }
        assertThat(full).isEqualTo(min.stream().filter(c -> !(c.equals(Chunk.EndOfStream.empty()))).toList());
    }

    @Test
    void emptyIterationsOfALongStreamAreCoalesced() throws IOException {
        try (StreamChunkSource s = StreamChunkSource.open(QemuTestData.dir().resolve("streams/mig1.stream.gz"), -1)) {
            List<Chunk> all = drain(s).stream().map(SequencedChunk::chunk).toList();
            // QEMU wrote 81,688 EOS; what is left ends each batch of chunks, and no two follow each other
            long eos = all.stream().filter(c -> c instanceof Chunk.EndOfStream).count();
            assertThat(eos).isLessThan(10);
            for (int i = 1; i < all.size(); i++) {
                assertThat(all.get(i) instanceof Chunk.EndOfStream && all.get(i - 1) instanceof Chunk.EndOfStream)
                        .as("EOS at %d follows an EOS", i).isFalse();
            }
            assertThat(all.get(all.size() - 1)).isInstanceOf(Chunk.EndOfStream.class);
            assertThat(((Chunk.EndOfStream) all.get(all.size() - 1)).manifest()).hasSize(6);
        }
    }

    @Test
    void aFileThatIsNoStreamIsRefused(@TempDir Path dir) throws IOException {
        Path junk = Files.write(dir.resolve("junk.stream"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> StreamChunkSource.open(junk, -1)).isInstanceOf(IOException.class);
    }
}
