package org.dbmstream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.savevm.SavevmChunk;
import org.dbmstream.codec.savevm.SavevmFormatException;
import org.dbmstream.codec.savevm.SavevmReader;
import org.junit.jupiter.api.Test;

/**
 * DESIGN section 2 rules one at a time, on hand-made bytes and on QEMU's own mig1 stream: START's
 * be32 granularity and its bitmap-flags byte (autoload kept, reserved bits passed on to the destination
 * to judge), counted strings of at most 255 bytes, and the dirty-bitmap section version.
 */
class WireRulesTest {

    /** flags 0x1c (DEVICE_NAME|BITMAP_NAME|START), "disk0", "b", be32 granularity, bitmap flags. */
    private static byte[] start(byte[] granularity, int bitmapFlags) {
        byte[] head = {0x1c, 5, 'd', 'i', 's', 'k', '0', 1, 'b'};
        byte[] out = new byte[head.length + granularity.length + 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(granularity, 0, out, head.length, granularity.length);
        out[out.length - 1] = (byte) bitmapFlags;
        return out;
    }

    @Test
    void startGranularityIsBe32NotBe64() throws IOException {
        WireChunk c = ChunkCodec.decode(start(new byte[] {0, 1, 0, 0}, 0x03));
        assertThat(c.granularity()).isEqualTo(65536);
        assertThat(c.bitmapFlags()).isEqualTo(0x03);
        assertThat(c.encodedLength()).isEqualTo(14); // flags, "disk0" and "b" counted, be32, flags byte
        // The be64 of QEMU's header comment would leave 4 bytes over.
        assertThatThrownBy(() -> ChunkCodec.decode(start(new byte[] {0, 0, 0, 0, 0, 1, 0, 0}, 0x03)))
                .isInstanceOf(ChunkFormatException.class).hasMessageContaining("4 bytes after the chunk");
    }

    @Test
    void qemusStartChunksCarryTheGranularityQemuLoaded() throws IOException {
        Map<String, Long> granularity = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(TestData.file("expected/streams-sha256.jsonl"))) {
            if (!line.isBlank()) {
                JsonNode n = json.readTree(line);
                granularity.put(n.get("name").asText(), n.get("granularity").asLong());
            }
        }
        List<SavevmChunk> chunks = SavevmReader.readAll(TestData.file("streams/mig1-min.stream"));
        byte[] stream = TestData.bytes("streams/mig1-min.stream");
        ChunkNames names = new ChunkNames();
        int starts = 0;
        for (SavevmChunk c : chunks) {
            Chunk resolved = names.resolve(c.wire(), c.offset());
            if (resolved instanceof Chunk.Start s) {
                starts++;
                assertThat(s.granularity().bytes()).as(s.bitmapAlias()).isEqualTo(granularity.get(s.bitmapAlias()));
                // the four bytes before the bitmap-flags byte are the granularity, big-endian
                int end = (int) c.offset() + c.length();
                long be32 = (stream[end - 5] & 0xffL) << 24 | (stream[end - 4] & 0xff) << 16
                        | (stream[end - 3] & 0xff) << 8 | (stream[end - 2] & 0xff);
                assertThat(be32).isEqualTo(s.granularity().bytes());
                assertThat(stream[end - 1] & 0xff).isEqualTo(s.flags());
            }
        }
        assertThat(starts).isEqualTo(granularity.size()).isEqualTo(6);
    }

    @Test
    void autoloadBitIsIgnoredButKeptByteForByte() throws IOException {
        byte[] wire = start(new byte[] {0, 0, 0x10, 0}, 0x05); // enabled | autoload
        Chunk.Start s = (Chunk.Start) new ChunkNames().resolve(ChunkCodec.decode(wire), 0);
        assertThat(s.enabled()).isTrue();
        assertThat(s.persistent()).isFalse();
        assertThat(s.reservedFlags()).isZero();
        assertThat(s.flags()).isEqualTo(0x05);
        assertThat(s.granularity()).isEqualTo(Granularity.of(4096));
        assertThat(new ChunkEncoder().encode(s)).isEqualTo(wire);
        Chunk.Start onlyAutoload = (Chunk.Start) new ChunkNames().resolve(
                ChunkCodec.decode(start(new byte[] {0, 0, 0x10, 0}, 0x04)), 0);
        assertThat(onlyAutoload.enabled()).isFalse();
        assertThat(onlyAutoload.persistent()).isFalse();
        assertThat(onlyAutoload.reservedFlags()).isZero();
    }

    @Test
    void reservedBitmapFlagsReachTheDestinationToJudge() throws IOException {
        for (int flags : new int[] {0x08, 0x80, 0xf8, 0xff}) {
            byte[] wire = start(new byte[] {0, 1, 0, 0}, flags);
            Chunk.Start s = (Chunk.Start) new ChunkNames().resolve(ChunkCodec.decode(wire), 0);
            assertThat(s.reservedFlags()).isEqualTo(flags & 0xf8);
            assertThat(new ChunkEncoder().encode(s)).isEqualTo(wire);
        }
    }

    @Test
    void startGranularityOutsideQemusRangeIsRefused() throws IOException {
        for (byte[] g : new byte[][] {{0, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 6, 0}, {(byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff}, {(byte) 0x80, 0, 0, 1}}) {
            WireChunk c = ChunkCodec.decode(start(g, 0));
            assertThatThrownBy(() -> new ChunkNames().resolve(c, 7)).isInstanceOf(ChunkFormatException.class)
                    .hasMessageContaining("is not a power of two from 512 B to 2 GiB")
                    .satisfies(e -> assertThat(((ChunkFormatException) e).offset()).isEqualTo(7));
        }
        Chunk.Start max = (Chunk.Start) new ChunkNames().resolve(
                ChunkCodec.decode(start(new byte[] {(byte) 0x80, 0, 0, 0}, 0)), 0);
        assertThat(max.granularity().bytes()).isEqualTo(1L << 31);
        Chunk.Start min = (Chunk.Start) new ChunkNames().resolve(ChunkCodec.decode(start(new byte[] {0, 0, 2, 0}, 0)), 0);
        assertThat(min.granularity().bytes()).isEqualTo(512);
    }

    @Test
    void bitsFirstSectorBeyondAnyDiskIsRefused() throws IOException {
        ChunkNames names = new ChunkNames();
        names.resolve(ChunkCodec.decode(start(new byte[] {0, 1, 0, 0}, 0)), 0);
        byte[] bits = {0x42, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, 0, 0, 0, 8};
        assertThatThrownBy(() -> names.resolve(ChunkCodec.decode(bits), 20)).isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("beyond any disk");
        bits[1] = 0; // first sector 2^56 - 1: still past 2^54
        assertThatThrownBy(() -> names.resolve(ChunkCodec.decode(bits), 20)).hasMessageContaining("beyond any disk");
        byte[] ok = {0x42, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 8};
        assertThat(names.resolve(ChunkCodec.decode(ok), 40)).isEqualTo(new Chunk.Bits("disk0", "b", 8192, 8, null));
    }

    @Test
    void countedStringsHoldAtMost255Bytes() throws IOException {
        String ok = "é".repeat(127) + "x"; // 255 bytes
        String tooLong = "é".repeat(128); // 256 bytes, 128 characters
        Chunk.Start fits = Chunk.Start.of(ok, ok, Granularity.of(512), false, false, -1);
        byte[] wire = new ChunkEncoder().encode(fits);
        assertThat(wire[1] & 0xff).isEqualTo(255);
        assertThat(new ChunkNames().resolve(ChunkCodec.decode(wire), 0)).isEqualTo(fits);
        assertThatThrownBy(() -> new ChunkEncoder().encode(Chunk.Start.of(tooLong, "b", Granularity.of(512), false,
                false, -1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node alias is longer than 255 bytes");
        assertThatThrownBy(() -> new ChunkEncoder().encode(new Chunk.Complete("n", tooLong)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bitmap alias is longer than 255 bytes");
        assertThat(tooLong.getBytes(StandardCharsets.UTF_8)).hasSize(256);
        // the empty string is a valid counted string
        WireChunk empty = ChunkCodec.decode(new byte[] {0x28, 0});
        assertThat(empty.nodeAlias()).isEmpty();
    }

    @Test
    void dirtyBitmapSectionVersionOtherThan1IsRefused() {
        byte[] stream = TestData.bytes("streams/mig1-min.stream");
        // QEMU's chunk list: SECTION_START of 'dirty-bitmap' at 0x3c, ver=1; its be32 version ends at 0x55
        assertThat(new String(stream, 0x3c + 6, 12, StandardCharsets.US_ASCII)).isEqualTo("dirty-bitmap");
        assertThat(stream[0x55]).isEqualTo((byte) 1);
        for (int version : new int[] {0, 2}) {
            byte[] bad = stream.clone();
            bad[0x55] = (byte) version;
            assertThatThrownBy(() -> {
                try (SavevmReader r = SavevmReader.of(new ByteArrayInputStream(bad), 4096)) {
                    while (r.next() != null) {
                        // drain
                    }
                }
            }).isInstanceOf(SavevmFormatException.class)
                    .hasMessageStartingWith("dirty-bitmap section version " + version + ", only 1 exists")
                    .satisfies(e -> assertThat(((SavevmFormatException) e).offset()).isEqualTo(0x3c));
        }
    }
}
