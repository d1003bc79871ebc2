package org.dbmstream.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.Bits;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.Start;
import org.junit.jupiter.api.Test;

class ChunkRecordsTest {

    private static final List<Chunk> CHUNKS = List.of(
            Chunk.Start.of("drive0", "bitmap0", Granularity.of(65536), true, false, 10L << 30),
            // raw flags with the ignored autoload bit and a reserved bit must survive unchanged
            new Chunk.Start("drive0", "b1", Granularity.of(Granularity.MAX), 0x04 | 0x08 | 0x02, -1),
            new Chunk.Bits("drive0", "bitmap0", 0, 1024L * 8 * 128, new byte[] {1, 0, 0, (byte) 0x80, 0, 0, 0, 0}),
            new Chunk.Bits("drive0", "bitmap0", 1024L * 8 * 128, 0xffffffffL, null),
            new Chunk.Complete("drive0", "bitmap0"),
            new Chunk.EndOfStream(List.of(new Chunk.BitmapRef("drive0", "bitmap0"), new Chunk.BitmapRef("d1", "b1"))),
            Chunk.EndOfStream.empty(), new Chunk.Switchover());

    @Test
    void everyChunkKindRoundTrips() {
        long seq = 0;
        for (Chunk chunk : CHUNKS) {
            ChunkKey key = ChunkRecords.keyOf("mig-1", chunk);
            ChunkValue value = ChunkRecords.toAvro(chunk, seq, "host-a");
            assertThat(value.getSequence()).isEqualTo(seq++);
            assertThat(value.getSourceId()).isEqualTo("host-a");
            assertThat(key.getMigration()).isEqualTo("mig-1");
            assertThat(ChunkRecords.toChunk(key, value)).isEqualTo(chunk);
        }
    }

    @Test
    void avroFieldsCarryTheDomainValues() {
        ChunkValue start = ChunkRecords.toAvro(CHUNKS.get(1), 3, "s");
        Start s = (Start) start.getBody();
        assertThat(s.getGranularity()).isEqualTo(1L << 31);
        assertThat(s.getFlags()).isEqualTo(0x0e);
        assertThat(s.getPersistent()).isTrue();
        assertThat(s.getEnabled()).isFalse();
        assertThat(s.getDiskSize()).isEqualTo(-1);
        Bits zeroes = (Bits) ChunkRecords.toAvro(CHUNKS.get(3), 4, "s").getBody();
        assertThat(zeroes.getZeroes()).isTrue();
        assertThat(zeroes.getPayload()).isNull();
        assertThat(ChunkRecords.keyOf("m", CHUNKS.get(5))).isEqualTo(new ChunkKey("m", "", ""));
    }

    @Test
    void inconsistentRecordsAreRefusedWithTheirKey() {
        ChunkKey key = new ChunkKey("m", "n", "b");
        assertThatThrownBy(() -> ChunkRecords.toChunk(key, new ChunkValue(0L, "s", new Start(512L, true, false, 0, -1L, 0L, null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("migration 'm' node alias 'n' bitmap alias 'b'")
                .hasMessageContaining("flags 0x0 disagree with enabled=true");
        assertThatThrownBy(() -> ChunkRecords.toChunk(key,
                new ChunkValue(0L, "s", new Bits(0L, 8L, true, ByteBuffer.wrap(new byte[32])))))
                .hasMessageContaining("zeroes=true but payload of 32 bytes");
        assertThatThrownBy(() -> ChunkRecords.toChunk(key, new ChunkValue(0L, "s", new Bits(0L, 8L, false, null))))
                .hasMessageContaining("zeroes=false but payload absent");
        assertThatThrownBy(() -> ChunkRecords.toChunk(key, new ChunkValue(0L, "s", new Start(1000L, false, false, 0, -1L, 0L, null))))
                .hasMessageContaining("power of two");
    }
}
