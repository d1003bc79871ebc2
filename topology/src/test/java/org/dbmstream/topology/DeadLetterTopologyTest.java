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
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.schemas.Start;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;

/**
 * Undecodable chunk records go to the dead-letter topic with the error in headers (KIP-1034's handler,
 * as the application configures it); loading goes on. The driver runs at-least-once here: in its
 * exactly-once mode TopologyTestDriver does not hand out the dead-letter records the deserialization
 * handler sends (a real broker does; see the integration tests).
 */
class DeadLetterTopologyTest {

    @Test
    void undecodableRecordsGoToTheDeadLetterTopicAndLoadingGoesOn() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(MIB, 65536, 0, 65536);
        List<Chunk> chunks = TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, bits));
        try (CapturedLogs logs = CapturedLogs.of("org.dbmstream", "org.apache.kafka");
                DestinationDriver d = new DestinationDriver(StreamsConfig.AT_LEAST_ONCE)) {
            d.spec("m1", "vm1");
            d.chunks("m1", chunks.subList(0, 3));
            byte[] garbage = "not a chunk".getBytes(StandardCharsets.UTF_8);
            d.raw(garbage, garbage);
            d.chunks("m1", chunks.subList(3, chunks.size()));

            List<TestRecord<byte[], byte[]>> dead = d.deadLetters();
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(r.value()).isEqualTo(garbage);
                assertThat(r.headers().toArray()).extracting(Header::key).anyMatch(k -> k.contains("exception"));
            });
            assertThat(EventsView.bodies(d.events(), MigrationCompleted.class)).hasSize(1);
            // one WARN in dbm's own logger names the record and the cause; Kafka's handler line is not there
            assertThat(logs.warnings()).noneMatch(m -> m.contains("Exception caught during Deserialization"))
                    .filteredOn(m -> m.contains("dead-letter")).singleElement().asString()
                    .matches("Record dbm\\.chunks-0@\\d+ of no readable migration sent to the dead-letter topic "
                            + "dbm\\.dlq \\(skipped, loading goes on\\): topic 'dbm\\.chunks': cannot decode 11-byte "
                            + "ChunkKey record: .*");
        }
    }

    /**
     * Every dead-letter record is logged at WARN in dbm's logger (the CLI silences org.apache.kafka), naming
     * topic, partition, offset, the migration its key names and the cause in words: here a value in Confluent's
     * wire format whose schema id the destination cannot resolve (what Confluent's own clients write in
     * registry mode), under a chunk key that names its migration.
     */
    @Test
    void aValueWithAnUnknownSchemaIdIsLoggedWithItsMigration() throws Exception {
        try (CapturedLogs logs = DeadLetterLogs.capture();
                DestinationDriver d = new DestinationDriver(StreamsConfig.AT_LEAST_ONCE)) {
            byte[] key = DbmSerdes.chunkKey(Map.of()).serializer().serialize("t", new ChunkKey("m7", "disk0", "b0"));
            byte[] value = {0, 0, 0, 0, 42, 2, 4, 6};
            d.raw(key, value);

            assertThat(d.deadLetters()).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo(value));
            assertThat(DeadLetterLogs.lines(logs)).singleElement().asString()
                    .startsWith("Record dbm.chunks-0@0 of migration 'm7' sent to the dead-letter topic dbm.dlq "
                            + "(skipped, loading goes on): topic 'dbm.chunks': cannot decode 8-byte ChunkValue record")
                    .contains("schema id 42");
        }
    }

    /**
     * A well-formed record keyed by a migration whose value is no valid chunk fails that migration, as
     * QEMU fails a migration on a read error: it does not wait forever for the chunk it lost. The record
     * goes to the dead-letter topic naming the migration and aliases; other migrations go on.
     */
    @Test
    void aRejectedChunkFailsItsMigrationAndNamesItInTheDeadLetterHeaders() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(MIB, 65536, 0, 65536);
        List<Chunk> chunks = TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, bits));
        try (CapturedLogs logs = CapturedLogs.of(DeadLetterLog.class);
                DestinationDriver d = new DestinationDriver(StreamsConfig.EXACTLY_ONCE_V2)) {
            d.spec("m1", "vm1");
            d.spec("m2", "vm1");
            d.chunks("m1", chunks.subList(0, 3));
            // a Start whose flags contradict its enabled field, as another client's serializer may write it
            byte[] key = DbmSerdes.chunkKey(Map.of()).serializer().serialize("t", new ChunkKey("m1", "disk0", "b1"));
            byte[] value = DbmSerdes.chunkValue(Map.of()).serializer().serialize("t",
                    new ChunkValue(0L, "other", new Start(65536L, false, false, 0x01, (long) MIB, 0L, null)));
            d.raw(key, value);
            d.chunks("m1", chunks.subList(3, chunks.size()));
            d.chunks("m2", chunks);

            List<TestRecord<byte[], byte[]>> dead = d.deadLetters();
            assertThat(logs.warnings()).singleElement().asString()
                    .startsWith("Record dbm.chunks-0@3 of migration 'm1' sent to the dead-letter topic dbm.dlq (the "
                            + "migration fails): not a valid chunk (node alias 'disk0', bitmap alias 'b1'): ");
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo(key);
                assertThat(r.value()).isEqualTo(value);
                assertThat(headerText(r)).contains("dbm.migration=m1\n").contains("dbm.node-alias=disk0\n")
                        .contains("dbm.bitmap-alias=b1\n").contains("exception=")
                        .contains("not a valid chunk: chunk of migration 'm1' node alias 'disk0' bitmap alias 'b1'");
            });
            List<Event> events = d.events();
            assertThat(EventsView.of(events, MigrationFailed.class)).singleElement().satisfies(e -> {
                assertThat(e.getMigration()).isEqualTo("m1");
                assertThat(((MigrationFailed) e.getBody()).getReason())
                        .contains("rejected a chunk record").contains("node alias 'disk0' bitmap alias 'b1'")
                        .contains("Start flags 0x1");
            });
            assertThat(EventsView.of(events, MigrationCompleted.class)).singleElement()
                    .satisfies(c -> assertThat(c.getMigration()).isEqualTo("m2"));
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
