package org.dbmstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/**
 * Stored topics outlive releases: every current schema must read data written with every earlier
 * version kept in the jar. ChunkValue v0 (no sourceId) and Event v0 (no time) are pre-release shapes
 * kept precisely so this check has an older version to prove against.
 */
class SchemaCompatibilityTest {
    private static final String JAVA_STRING = "{\"type\":\"string\",\"avro.java.string\":\"String\"}";

    @Test
    void everyCurrentSchemaReadsEveryPreviousVersion() {
        int pairs = 0;
        for (String name : SchemaHistory.names()) {
            List<Schema> versions = SchemaHistory.versions(name);
            Schema current = versions.get(versions.size() - 1);
            for (int i = 0; i < versions.size() - 1; i++) {
                var result = SchemaCompatibility.checkReaderWriterCompatibility(current, versions.get(i));
                assertThat(result.getType())
                        .as("%s %s read by current: %s", name, SchemaHistory.labels(name).get(i),
                                result.getDescription())
                        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
                pairs++;
            }
        }
        assertThat(pairs).as("older versions checked").isGreaterThanOrEqualTo(2);
    }

    @Test
    void latestStoredVersionIsTheCompiledSchema() {
        assertThat(SchemaHistory.names())
                .containsExactlyInAnyOrder("ChunkKey", "ChunkValue", "MigrationSpec", "Event", "DestinationWrite",
                        "SyncState");
        for (String name : SchemaHistory.names()) {
            List<Schema> versions = SchemaHistory.versions(name);
            Schema latest = versions.get(versions.size() - 1);
            Schema compiled = SpecificData.get().getSchema(SpecificData.get().getClass(latest));
            // The compiler adds "avro.java.string" hints; apart from them the two must be identical.
            assertThat(compiled.toString().replace(JAVA_STRING, "\"string\"")).as(name).isEqualTo(latest.toString());
        }
    }

    @Test
    void chunkValueWrittenWithV0ReadsWithCurrentSchema() throws IOException {
        Schema v0 = SchemaHistory.versions("ChunkValue").get(0);
        assertThat(v0.getField("sourceId")).isNull();
        GenericRecord bits = new GenericData.Record(v0.getField("body").schema().getTypes().get(1));
        bits.put("firstSector", 8192L);
        bits.put("sectors", 8192L);
        bits.put("zeroes", false);
        bits.put("payload", java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        GenericRecord old = new GenericData.Record(v0);
        old.put("sequence", 7L);
        old.put("body", bits);

        ChunkValue read = readAs(v0, old, ChunkValue.getClassSchema());

        assertThat(read.getSequence()).isEqualTo(7L);
        assertThat(read.getSourceId()).isEmpty();
        assertThat(read.getBody()).isInstanceOf(Bits.class);
        Bits b = (Bits) read.getBody();
        assertThat(b.getFirstSector()).isEqualTo(8192L);
        assertThat(b.getPayload().array()).containsExactly(1, 2, 3);
    }

    @Test
    void eventWrittenWithV0ReadsWithCurrentSchema() throws IOException {
        Schema v0 = SchemaHistory.versions("Event").get(0);
        assertThat(v0.getField("time")).isNull();
        GenericRecord cancelled = new GenericData.Record(v0.getField("body").schema().getTypes().get(2));
        cancelled.put("reason", "Error: Unknown node alias 'x'");
        GenericRecord old = new GenericData.Record(v0);
        old.put("migration", "m1");
        old.put("target", "vm1");
        old.put("nodeAlias", "x");
        old.put("body", cancelled);

        Event read = readAs(v0, old, Event.getClassSchema());

        assertThat(read.getTime().toEpochMilli()).isZero();
        assertThat(read.getNode()).isNull();
        assertThat(read.getNodeAlias()).isEqualTo("x");
        assertThat(((BitmapCancelled) read.getBody()).getReason()).isEqualTo("Error: Unknown node alias 'x'");
    }

    /**
     * Versions added for keeping replicas current (ChunkValue v3, Event v5) only add fields with defaults, so
     * readers of the version before keep working on new data (FULL compatibility); a delta START read by
     * an older destination shows START flags with QEMU's reserved bit 0x80, which it refuses.
     */
    @Test
    void readersOfThePreviousVersionReadTheNewest() throws IOException {
        for (String name : List.of("ChunkValue", "Event")) {
            List<Schema> versions = SchemaHistory.versions(name);
            Schema previous = versions.get(versions.size() - 2);
            var result = SchemaCompatibility.checkReaderWriterCompatibility(previous, versions.get(versions.size() - 1));
            assertThat(result.getType()).as("%s: previous reads current: %s", name, result.getDescription())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
        ChunkValue delta = new ChunkValue(0L, "src", new Start(65536L, true, false, 0x81, 1L << 30, 1234L,
                new StartVersion("9a4e", "1f0c", 65536L, false)));
        Schema v2 = SchemaHistory.versions("ChunkValue").get(2);
        GenericRecord old = writeAsRead(ChunkValue.getClassSchema(), delta, v2);
        assertThat(((GenericRecord) old.get("body")).get("flags")).isEqualTo(0x81);
    }

    private static GenericRecord writeAsRead(Schema writer, Object datum, Schema reader) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<Object>(writer).write(datum, enc);
        enc.flush();
        return new org.apache.avro.generic.GenericDatumReader<GenericRecord>(writer, reader)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }

    /** The check above must be able to fail: a new required field without default is refused. */
    @Test
    void aFieldWithoutDefaultWouldBeCaught() {
        Schema current = ChunkKey.getClassSchema();
        Schema broken = SchemaBuilder.record("ChunkKey").namespace("org.dbmstream.schemas").fields()
                .requiredString("migration").requiredString("nodeAlias").requiredString("bitmapAlias")
                .requiredLong("epoch").endRecord();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(broken, current).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @SuppressWarnings("unchecked")
    private static <T> T readAs(Schema writer, GenericRecord record, Schema reader) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(writer).write(record, enc);
        enc.flush();
        return (T) new SpecificDatumReader<>(writer, reader)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }
}
