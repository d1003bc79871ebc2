package org.dbmstream.bitmap.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.QemuConstants;
import org.dbmstream.bitmap.QemuTestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the {@code qemu-io} writes of {@code testdata/qcow2-extra/make-fixtures.sh} into our
 * in-memory bitmap and checks the result against what QEMU itself reported for those images
 * ({@code expected.jsonl}): odd disk sizes with a partial last granule (count not clipped to the disk,
 * sha256 over the bytes zero-padded to 8), granularities 512 B .. 2 GiB. Then cuts each bitmap into
 * BITS chunks and checks QEMU's chunk rules: short last chunk, buffers rounded up to exactly 32 bytes,
 * ZEROES with no buffer for an all-zero range, and a load of the chunks gives QEMU's sha256 again.
 */
class QemuWritesReplayTest {
    private static final long K = 1024;
    private static final long M = K * K;
    private static final long G = M * K;

    /** One bitmap of a fixture: the writes it recorded (offset, length pairs) as the script made them. */
    record Case(String image, String name, long granularity, long[][] writes) {
        @Override
        public String toString() {
            return image + "/" + name;
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        long[][] odd1m = {{0, 4 * K}, {999000, 1000}};
        cases.add(new Case("odd1m.qcow2", "g512", 512, odd1m));
        cases.add(new Case("odd1m.qcow2", "g64k", 64 * K, odd1m));
        cases.add(new Case("odd1m.qcow2", "g1m", M, odd1m));
        long[][] odd64m = {{M, 8 * K}, {67108864, 512}, {32 * M, K}, {67108352, K}};
        cases.add(new Case("odd64m.qcow2", "g4k", 4 * K, odd64m));
        cases.add(new Case("odd64m.qcow2", "g512", 512, odd64m));
        // disabled after the first two writes
        cases.add(new Case("odd64m.qcow2", "frozen", 64 * K, new long[][] {odd64m[0], odd64m[1]}));
        long[][] g2g = {{4 * G, 4 * K}, {5119 * M, M}};
        cases.add(new Case("g2g.qcow2", "g2g", 2 * G, g2g));
        cases.add(new Case("g2g.qcow2", "g1g", G, g2g));
        // bitmap i was added just before write i, so it saw writes i..39
        for (int i = 0; i < 40; i++) {
            long[][] seen = new long[40 - i][];
            for (int j = i; j < 40; j++) {
                seen[j - i] = new long[] {j * 100000L, 1000};
            }
            long g = switch (i % 3) {
                case 0 -> 512;
                case 1 -> 4 * K;
                default -> 64 * K;
            };
            cases.add(new Case("many.qcow2", String.format("bm%02d", i), g, seen));
        }
        long[][] longtable = {{0, K}, {3 * M, 4 * K}, {140 * M, M}, {268434944, 512}};
        cases.add(new Case("longtable.qcow2", "fine", 512, longtable));
        cases.add(new Case("longtable.qcow2", "coarse", 64 * K, longtable));
        long[][] names = {{0, 5000}, {33554432, 1}};
        cases.add(new Case("names.qcow2", "sauvegarde incrémentale №1", 4 * K, names));
        cases.add(new Case("names.qcow2", "  leading and trailing  ", 64 * K, names));
        cases.add(new Case("names.qcow2", "désactivé", 4 * K, new long[0][]));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replayedWritesGiveQemusSha256AndCount(Case c) {
        JsonNode qemu = qemuAnswer(c);
        DirtyBitmap b = replay(c, qemu.get("size").asLong());
        assertThat(qemu.get("granularity").asLong()).isEqualTo(c.granularity());
        assertThat(b.bitCount()).isEqualTo((b.diskSize() + c.granularity() - 1) / c.granularity());
        assertThat(b.count()).as("count").isEqualTo(qemu.get("count").asLong());
        assertThat(b.sha256()).as("sha256").isEqualTo(qemu.get("sha256").asText());
        assertThat(b.toBytes().length % 8).as("serialized whole words").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void chunksFollowQemusRulesAndLoadBackToQemusSha256(Case c) {
        JsonNode qemu = qemuAnswer(c);
        DirtyBitmap source = replay(c, qemu.get("size").asLong());
        BitmapChunker chunker = new BitmapChunker(source, "disk0", c.name());
        ChunkLayout layout = chunker.layout();
        List<Chunk.Bits> chunks = chunker.stream().toList();
        long totalSectors = (source.diskSize() + 511) / 512;
        assertThat(chunks.stream().mapToLong(Chunk.Bits::sectors).sum()).isEqualTo(totalSectors);
        long perChunk = Math.min(c.granularity() / 512 * QemuConstants.CHUNK_SIZE * 8, ChunkLayout.MAX_CHUNK_SECTORS);
        for (int i = 0; i < chunks.size(); i++) {
            Chunk.Bits bits = chunks.get(i);
            assertThat(bits.firstSector()).isEqualTo(i * perChunk);
            if (i < chunks.size() - 1) {
                assertThat(bits.sectors()).isEqualTo(perChunk);
            } else {
                assertThat(bits.sectors()).as("last chunk").isBetween(1L, perChunk);
            }
            long firstBit = layout.firstBit(i);
            long nbits = layout.bits(i);
            byte[] range = source.serialize(firstBit, nbits);
            boolean allZero = true;
            for (byte x : range) {
                allZero &= x == 0;
            }
            assertThat(bits.zeroes()).as("chunk %d sent as ZEROES", i).isEqualTo(allZero);
            if (!allZero) {
                long needed = DirtyBitmap.serializationSize(firstBit, nbits);
                assertThat((long) bits.payload().length).as("chunk %d buffer", i)
                        .isEqualTo(QemuConstants.alignUp(needed, 32));
                assertThat(bits.payload()).startsWith(range);
            }
        }
        DirtyBitmap loaded = BitmapChunkerTest.roundTrip(chunker, source);
        assertThat(loaded.sha256()).isEqualTo(qemu.get("sha256").asText());
        assertThat(loaded.count()).isEqualTo(qemu.get("count").asLong());
    }

    private static DirtyBitmap replay(Case c, long size) {
        DirtyBitmap b = new DirtyBitmap(size, Granularity.of(c.granularity()));
        for (long[] w : c.writes()) {
            b.markDirty(w[0], w[1]);
        }
        return b;
    }

    private static JsonNode qemuAnswer(Case c) {
        Path file = QemuTestData.dir().resolveSibling("qcow2-extra").resolve("expected.jsonl");
        ObjectMapper json = new ObjectMapper();
        try {
            for (String line : Files.readAllLines(file)) {
                JsonNode n = json.readTree(line);
                if (n.get("image").asText().equals(c.image()) && n.get("name").asText().equals(c.name())) {
                    return n;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("QEMU gave no answer for " + c);
    }
}
