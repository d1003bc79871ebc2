package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.test.TestRecord;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.Bits;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.serdes.DbmSerdes;
import org.junit.jupiter.api.Test;

/**
 * Undecodable chunk records go to the dead-letter topic with the error in headers (KIP-1034's handler,
 * as the application configures it); loading goes on. The driver runs at-least-once here: in its
 * exactly-once mode TopologyTestDriver does not hand out the dead-letter records the deserialization
 * handler sends (a real broker does; see the integration tests).
 */
class DeadLetterTopologyTest {

    @Test
    void poisonPillsGoToTheDeadLetterTopicAndTheMigrationStillCompletes() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(MIB, 65536, 0, 65536);
        List<Chunk> chunks = TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, bits));
        try (DestinationDriver d = new DestinationDriver(StreamsConfig.AT_LEAST_ONCE)) {
            d.spec("m1", "vm1");
            d.chunks("m1", chunks.subList(0, 3));
            byte[] garbage = "not a chunk".getBytes(StandardCharsets.UTF_8);
            d.raw(garbage, garbage);
            // a well-formed Avro record that is no valid chunk: ZEROES with a payload
            byte[] key = DbmSerdes.chunkKey(Map.of()).serializer().serialize("t", new ChunkKey("m1", "disk0", "b0"));
            byte[] value = DbmSerdes.chunkValue(Map.of()).serializer().serialize("t",
                    new ChunkValue(99L, "evil", new Bits(0L, 128L, true, java.nio.ByteBuffer.wrap(new byte[32]))));
            d.raw(key, value);
            d.chunks("m1", chunks.subList(3, chunks.size()));

            List<TestRecord<byte[], byte[]>> dead = d.deadLetters();
            assertThat(dead).hasSize(2);
            assertThat(dead.get(0).value()).isEqualTo(garbage);
            assertThat(dead.get(1).value()).isEqualTo(value);
            assertThat(dead.get(1).key()).isEqualTo(key);
            for (TestRecord<byte[], byte[]> r : dead) {
                assertThat(r.headers().toArray()).extracting(Header::key).anyMatch(k -> k.contains("exception"));
            }
            String headers = headerText(dead.get(1));
            assertThat(headers).contains("is not a valid chunk").contains("zeroes=true but payload");

            List<Event> events = d.events();
            assertThat(EventsView.bodies(events, MigrationCompleted.class)).hasSize(1);
        }
    }

    private static String headerText(TestRecord<byte[], byte[]> r) {
        StringBuilder sb = new StringBuilder();
        for (Header h : r.headers()) {
            sb.append(h.key()).append('=').append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8))
                    .append('\n');
        }
        return sb.toString();
    }
}
