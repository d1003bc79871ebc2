package org.dbmstream.bitmap.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.QemuTestData;
import org.dbmstream.bitmap.QemuTestData.QemuBitmap;
import org.junit.jupiter.api.Test;

/** The chunker against the BITS chunks QEMU itself sent in mig1, and round trips on odd geometries. */
class BitmapChunkerTest {
    private static final long MIB64 = 64L << 20;

    @Test
    void mig1FinalBitmapsChunkExactlyAsQemuSentThem() {
        List<String> qemuBits = Mig1Chunks.section("END").stream().filter(d -> d.startsWith("BITS")).toList();
        List<String> ours = QemuTestData.mig1FinalBitmaps().stream()
                .flatMap(qb -> new BitmapChunker(qb.rebuild(MIB64), qb.node(), qb.name()).stream())
                .map(Mig1Chunks::describe).toList();
        assertThat(ours).hasSize(7).containsExactlyElementsOf(qemuBits);
    }

    @Test
    void mig1PayloadsDeserializeBackToTheSameBitmap() {
        List<JsonNode> expected = QemuTestData.jsonl("streams-sha256.jsonl");
        for (QemuBitmap qb : QemuTestData.mig1FinalBitmaps()) {
            DirtyBitmap source = qb.rebuild(MIB64);
            DirtyBitmap dest = roundTrip(new BitmapChunker(source, "disk0", qb.name()), source);
            assertThat(dest.toBytes()).isEqualTo(source.toBytes());
            String sha = expected.stream().filter(j -> j.get("name").asText().equals(qb.name())).findFirst()
                    .orElseThrow().get("sha256").asText();
            assertThat(dest.sha256()).as(qb.name()).isEqualTo(sha);
        }
    }

    @Test
    void oddDiskSizeHasAShortLastChunkCarryingThePartialGranule() {
        long size = (8L << 30) + 4097; // 8 GiB + 4097 B: 9 sectors past the last full chunk
        DirtyBitmap b = new DirtyBitmap(size, Granularity.of(65536));
        b.markDirty(size - 1, 1);
        b.markDirty(3L << 30, 1);
        BitmapChunker chunker = new BitmapChunker(b, "n", "b");
        assertThat(chunker.chunkCount()).isEqualTo(17);
        List<Chunk.Bits> chunks = chunker.stream().toList();
        assertThat(chunks).extracting(Chunk.Bits::sectors).containsOnly(1048576L, 9L);
        Chunk.Bits last = chunks.get(16);
        assertThat(last.firstSector()).isEqualTo(16L * 1048576);
        assertThat(last.sectors()).isEqualTo(9);
        assertThat(last.payload()).hasSize(32).startsWith((byte) 1);
        assertThat(chunks.get(6).zeroes()).isFalse(); // 3 GiB is in chunk 6 (512 MiB per chunk)
        assertThat(chunks).filteredOn(Chunk.Bits::zeroes).hasSize(15);
        assertThat(roundTrip(chunker, b).sha256()).isEqualTo(b.sha256());
    }

    @Test
    void sizesThatAreNotWholeSectorsOrGranules() {
        for (long size : new long[] {1, 511, 513, 1000, 4095, 65537, 1_000_000_007L}) {
            for (long g : new long[] {512, 4096, 65536, 1L << 20}) {
                DirtyBitmap b = new DirtyBitmap(size, Granularity.of(g));
                b.markDirty(size - 1, 1);
                BitmapChunker chunker = new BitmapChunker(b, "n", "b");
                long sectors = chunker.stream().mapToLong(Chunk.Bits::sectors).sum();
                assertThat(sectors).as("size %d g %d", size, g).isEqualTo((size + 511) / 512);
                assertThat(roundTrip(chunker, b).toBytes()).isEqualTo(b.toBytes());
            }
        }
    }

    @Test
    void emptyDiskStillSendsOneZeroesChunkOfZeroSectorsLikeQemu() {
        BitmapChunker chunker = new BitmapChunker(new DirtyBitmap(0, Granularity.of(65536)), "n", "b");
        assertThat(chunker.stream().toList()).containsExactly(new Chunk.Bits("n", "b", 0, 0, null));
    }

    @Test
    void iteratorResumesAtAnyChunk() {
        DirtyBitmap b = new DirtyBitmap(64L << 20, Granularity.of(512));
        b.markDirty(50L << 20, 4096);
        BitmapChunker chunker = new BitmapChunker(b, "n", "b");
        Iterator<Chunk.Bits> it = chunker.iterator(12);
        assertThat(it.next()).isEqualTo(chunker.chunk(12));
        assertThat(it.next()).isEqualTo(chunker.stream().skip(13).findFirst().orElseThrow());
        assertThat(chunker.iterator(chunker.chunkCount()).hasNext()).isFalse();
    }

    /** Applies the chunks as QEMU's load side does: the sector range mapped onto granules. */
    static DirtyBitmap roundTrip(BitmapChunker chunker, DirtyBitmap like) {
        DirtyBitmap dest = new DirtyBitmap(like.diskSize(), like.granularity());
        int shift = like.granularity().shift();
        for (Chunk.Bits c : chunker) {
            if (c.sectors() == 0) {
                continue;
            }
            long firstByte = c.firstSector() * 512;
            long lastByte = firstByte + c.sectors() * 512 - 1;
            long firstBit = firstByte >>> shift;
            long bits = (lastByte >>> shift) - firstBit + 1;
            if (c.zeroes()) {
                dest.setRange(firstBit, bits, false);
            } else {
                long needed = DirtyBitmap.serializationSize(firstBit, bits);
                // QEMU's load-side check: buffer size within [needed, roundup(needed, 32)]
                assertThat((long) c.payload().length).isBetween(needed, (needed + 31) / 32 * 32);
                dest.deserialize(firstBit, bits, c.payload());
            }
        }
        return dest;
    }
}
