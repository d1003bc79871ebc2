package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.test.TestRecord;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.serdes.AvroCodec;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.RegistryConfig;
import org.dbmstream.serdes.SerdeConfig;
import org.dbmstream.serdes.testing.ApicurioExtension;
import org.dbmstream.serdes.testing.ApicurioRegistry;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 24 item 10 in registry mode against a real schema registry (Apicurio Registry, Confluent-compatible API):
 * records in Confluent's wire format whose schema ids the registry never issued, as another client's serializer
 * may write them, each go to the dead-letter topic with the error in its headers and one WARN line in dbm's own
 * logger naming topic, partition, offset, the migration (when the key can be read) and the cause; the migration
 * around them loads with registry-encoded records and completes.
 */
@ExtendWith(ApicurioExtension.class)
class RegistryDeadLetterIT {
    /** A schema id no registry of this test issued (Apicurio numbers from 1). */
    private static final int UNKNOWN_ID = 0x7fff_0001;

    @Test
    void unknownSchemaIdsAreDeadLetteredAndLoggedWhileTheMigrationLoads(ApicurioRegistry registry) throws Exception {
        final Map<String, String> registryMode = Map.of(SerdeConfig.FORMAT, "registry", RegistryConfig.URL,
                registry.url(), RegistryConfig.MAX_RETRIES, "1", RegistryConfig.RETRIES_WAIT_MS, "50");
        final DirtyBitmap bits = TestChunks.bitmap(MIB, 65536, 0, 65536);
        final List<Chunk> chunks = TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, bits));
        try (CapturedLogs logs = DeadLetterLogs.capture();
                DestinationDriver d = new DestinationDriver(StreamsConfig.AT_LEAST_ONCE, registryMode)) {
            d.spec("m1", "vm1");
            d.chunks("m1", chunks.subList(0, 3));
            // a key the registry can resolve (registered by the destination's own serde) with a value it cannot
            final Map<String, Object> serde = new java.util.HashMap<>(registryMode);
            final byte[] key = DbmSerdes.chunkKey(serde).serializer().serialize("dbm.chunks",
                    new ChunkKey("m9", "disk0", "b0"));
            final byte[] value = confluent(UNKNOWN_ID, 2, 4, 6);
            d.raw(key, value);
            // and a key under an unknown id too: no migration can be named
            final byte[] unreadableKey = confluent(UNKNOWN_ID + 1, 2, 0x6d, 0x39);
            d.raw(unreadableKey, value);
            d.chunks("m1", chunks.subList(3, chunks.size()));

            final List<TestRecord<byte[], byte[]>> dead = d.deadLetters();
            assertThat(dead).hasSize(2).allSatisfy(r -> {
                assertThat(r.value()).isEqualTo(value);
                assertThat(r.headers().toArray()).extracting(Header::key).anyMatch(k -> k.contains("exception"));
            });
            assertThat(dead.get(0).key()).isEqualTo(key);
            assertThat(dead.get(1).key()).isEqualTo(unreadableKey);

            final List<String> lines = DeadLetterLogs.lines(logs);
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).startsWith("Record dbm.chunks-0@3 of migration 'm9' sent to the dead-letter topic "
                    + "dbm.dlq (skipped, loading goes on): ").contains(String.valueOf(UNKNOWN_ID));
            assertThat(lines.get(1)).startsWith("Record dbm.chunks-0@4 of no readable migration sent to the dead-letter "
                    + "topic dbm.dlq (skipped, loading goes on): ").contains(String.valueOf(UNKNOWN_ID + 1));
            assertThat(logs.warnings()).noneMatch(m -> m.contains("Exception caught during Deserialization"));

            // the migration around them loaded from registry-encoded records, with the bitmap's own sha256
            assertThat(EventsView.bodies(d.events(), MigrationCompleted.class)).hasSize(1);
            assertThat(EventsView.bodies(d.events(), BitmapCompleted.class)).singleElement()
                    .satisfies(c -> assertThat(c.getSha256()).isEqualTo(bits.sha256()));
            assertThat(registry.get("/subjects")).contains(AvroCodec.subject("dbm.chunks", false))
                    .contains(AvroCodec.subject("dbm.chunks", true));
        }
    }

    /** Confluent's wire format: magic byte 0, the 4-byte schema id, then the Avro body. */
    private static byte[] confluent(int schemaId, int... body) {
        final byte[] out = new byte[5 + body.length];
        out[1] = (byte) (schemaId >>> 24);
        out[2] = (byte) (schemaId >>> 16);
        out[3] = (byte) (schemaId >>> 8);
        out[4] = (byte) schemaId;
        for (int i = 0; i < body.length; i++) {
            out[5 + i] = (byte) body[i];
        }
        return out;
    }
}
