package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.test.TestRecord;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.testkit.fuzz.AllocationMeter;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;

/**
 * Every kind of record the destination reads (chunk keys, START, BITS, ZEROES, COMPLETE and EOS values,
 * migration specs), made undecodable, goes to the dead-letter topic with the error in headers while
 * the migration around them completes; and a record claiming a huge field costs no huge allocation.
 */
class DeadLetterRecordTypesTest {

    @Test
    void undecodableRecordsOfEveryKindGoToTheDeadLetterTopicAndTheMigrationCompletes() throws Exception {
        final DirtyBitmap bits = TestChunks.bitmap(MIB, 65536, 0, 65536);
        final List<Chunk> chunks = TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, bits));
        final var keys = DbmSerdes.chunkKey(Map.of());
        final var values = DbmSerdes.chunkValue(Map.of());
        try (CapturedLogs logs = DeadLetterLogs.capture();
                DestinationDriver d = new DestinationDriver(StreamsConfig.AT_LEAST_ONCE)) {
            final byte[] spec = DbmSerdes.migrationSpec(Map.of()).serialize("m", new MigrationSpec("m0", "vm1", null,
                    null, java.time.Instant.EPOCH, false));
            d.rawSpec("m0".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(spec, spec.length - 3));
            d.spec("m1", "vm1");
            int poisoned = 1;
            long seq = 0;
            for (final Chunk c : chunks) {
                // Before each real chunk, its own record cut short: the value, then the key.
                final byte[] key = keys.serialize("t", ChunkRecords.keyOf("m1", c));
                final byte[] value = values.serialize("t", ChunkRecords.toAvro(c, seq++, "test-source"));
                d.raw(key, Arrays.copyOf(value, value.length - 1));
                d.raw(Arrays.copyOf(key, key.length - 1), value);
                poisoned += 2;
                d.chunk("m1", c);
            }
            final List<TestRecord<byte[], byte[]>> dead = d.deadLetters();
            assertThat(dead).hasSize(poisoned);
            for (final TestRecord<byte[], byte[]> r : dead) {
                assertThat(headerText(r)).contains(SerializationException.class.getName()).contains("cannot decode");
            }
            final List<Event> events = d.events();
            assertThat(EventsView.bodies(events, MigrationCompleted.class)).hasSize(1);
            // one line each, naming the record, its migration when the key says it, and the cause in words
            final List<String> lines = DeadLetterLogs.lines(logs);
            assertThat(lines).hasSize(poisoned).allMatch(l -> l.matches("Record dbm\\.(chunks|migrations)-0@\\d+ of .*"))
                    .noneMatch(l -> l.endsWith("null"));
            assertThat(lines.get(0)).startsWith("Record dbm.migrations-0@0 of migration 'm0' sent to the dead-letter "
                    + "topic dbm.dlq (skipped, loading goes on): topic 'dbm.migrations': cannot decode")
                    .endsWith("body: it ends before the record does (truncated, or a record of another type)");
            assertThat(lines).filteredOn(l -> l.contains("of migration 'm1'")).hasSize((poisoned - 1) / 2);
            assertThat(lines).filteredOn(l -> l.contains("of no readable migration")).hasSize((poisoned - 1) / 2);
        }
    }

    @Test
    void aRecordClaimingAHugeStringIsRefusedWithoutAllocatingIt() {
        // Found by RecordDecodingFuzzTest: this 40-byte chunk key made Avro allocate 93 MB before it failed.
        final byte[] key = HexFormat.of().parseHex(
                "c301d72e1c810b36523cfecfe058c0d26bf5300462301c810b36523cfecfe058c0d26bf530046230");
        final var keys = DbmSerdes.chunkKey(Map.of());
        final var m = AllocationMeter.measure(() -> keys.deserialize("chunks", key));
        assertThat(m.thrown()).isInstanceOf(SerializationException.class).hasMessageContaining("cannot decode 40-byte");
        assertThat(m.bytes()).as("bytes allocated").isLessThan(9L << 20);
    }

    private static String headerText(final TestRecord<byte[], byte[]> r) {
        final StringBuilder sb = new StringBuilder();
        for (final Header h : r.headers()) {
            sb.append(h.key()).append('=')
                    .append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)).append('\n');
        }
        return sb.toString();
    }
}
