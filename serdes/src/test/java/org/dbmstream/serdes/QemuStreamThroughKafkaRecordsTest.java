package org.dbmstream.serdes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkEncoder;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.savevm.SavevmChunk;
import org.dbmstream.codec.savevm.SavevmReader;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.junit.jupiter.api.Test;

/**
 * QEMU's own migration streams through our Kafka records: every chunk QEMU sent, turned into a
 * ChunkKey/ChunkValue pair, serialized, read back and re-encoded, gives QEMU's chunk again, so the
 * topic loses nothing the wire format carried.
 */
class QemuStreamThroughKafkaRecordsTest {

    @Test
    void everyQemuChunkSurvivesTheRecordRoundTrip() throws IOException {
        var keySerde = DbmSerdes.chunkKey(Map.of());
        var valueSerde = DbmSerdes.chunkValue(Map.of());
        int total = 0;
        for (String name : List.of("streams/mig1-min.stream", "streams/mig1.stream.gz")) {
            List<SavevmChunk> chunks = SavevmReader.readAll(testdata().resolve(name));
            ChunkNames names = new ChunkNames();
            ChunkEncoder encoder = new ChunkEncoder();
            Map<ChunkKey, Long> seqs = new HashMap<>();
            for (SavevmChunk c : chunks) {
                Chunk resolved = names.resolve(c.wire(), c.offset());
                ChunkKey key = ChunkRecords.keyOf("mig1", resolved);
                long seq = seqs.merge(key, 1L, Long::sum) - 1;
                byte[] k = keySerde.serialize("dbm.chunks", key);
                byte[] v = valueSerde.serialize("dbm.chunks", ChunkRecords.toAvro(resolved, seq, "qemu"));

                ChunkValue value = valueSerde.deserialize("dbm.chunks", v);
                Chunk back = ChunkRecords.toChunk(keySerde.deserialize("dbm.chunks", k), value);

                assertThat(back).as("%s chunk at 0x%x", name, c.offset()).isEqualTo(resolved);
                assertThat(value.getSequence()).isEqualTo(seq);
                assertThat(encoder.toWire(back)).as("%s chunk at 0x%x", name, c.offset()).isEqualTo(c.wire());
                total++;
            }
        }
        assertThat(total).isGreaterThanOrEqualTo(44);
    }

    private static Path testdata() {
        return org.dbmstream.testkit.QemuTestData.dir();
    }
}
