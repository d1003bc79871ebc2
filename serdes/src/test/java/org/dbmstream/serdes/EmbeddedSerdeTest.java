package org.dbmstream.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Bits;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.SchemaHistory;
import org.junit.jupiter.api.Test;

class EmbeddedSerdeTest {

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyTypeRoundTripsInSingleObjectEncoding() {
        int checked = 0;
        for (var e : Samples.all().entrySet()) {
            AvroSerde serde = new AvroSerde(e.getKey(), Map.of(), false);
            long fp = SchemaNormalization.parsingFingerprint64(serde.codec().schema());
            for (SpecificRecord value : e.getValue()) {
                byte[] bytes = serde.serialize("dbm.x", value);
                assertThat(bytes[0]).isEqualTo((byte) 0xC3);
                assertThat(bytes[1]).isEqualTo((byte) 0x01);
                assertThat(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(fp);
                assertThat(serde.deserialize("dbm.x", bytes)).as(e.getKey().getSimpleName()).isEqualTo(value);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(19);
    }

    @Test
    void unconfiguredNamedSerdesAreEmbeddedAndNullsPassThrough() {
        var serde = new DbmSerdes.ChunkKeySerde();
        ChunkKey key = new ChunkKey("m", "n", "b");
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", key))).isEqualTo(key);
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }

    @Test
    void chunkValueWrittenByV0ReadsWithCurrentClass() {
        Schema v0 = SchemaHistory.versions("ChunkValue").get(0);
        GenericRecord bits = new GenericData.Record(v0.getField("body").schema().getTypes().get(1));
        bits.put("firstSector", 0L);
        bits.put("sectors", 8L);
        bits.put("zeroes", false);
        bits.put("payload", Samples.bytesBuffer(32));
        GenericRecord old = new GenericData.Record(v0);
        old.put("sequence", 41L);
        old.put("body", bits);
        byte[] written = encodeSingleObject(v0, old);

        ChunkValue read = DbmSerdes.chunkValue(Map.of()).deserialize("dbm.chunks", written);

        assertThat(read.getSequence()).isEqualTo(41L);
        assertThat(read.getSourceId()).isEmpty();
        assertThat(((Bits) read.getBody()).getPayload()).isEqualTo(Samples.bytesBuffer(32));
    }

    @Test
    void eventWrittenByV0ReadsWithCurrentClass() {
        Schema v0 = SchemaHistory.versions("Event").get(0);
        Schema completedSchema = v0.getField("body").schema().getTypes().get(1);
        GenericRecord done = new GenericData.Record(completedSchema);
        done.put("granularity", 65536L);
        done.put("size", 1L << 30);
        done.put("enabled", true);
        done.put("persistent", true);
        done.put("count", 131072L);
        done.put("sha256", "00".repeat(32));
        done.put("chunks", 2L);
        GenericRecord old = new GenericData.Record(v0);
        old.put("migration", "m");
        old.put("target", "t");
        old.put("body", done);

        Event read = DbmSerdes.event(Map.of()).deserialize("dbm.events", encodeSingleObject(v0, old));

        assertThat(read.getTime().toEpochMilli()).isZero();
        assertThat(((BitmapCompleted) read.getBody()).getCount()).isEqualTo(131072L);
    }

    @Test
    void errorsNameTopicLengthAndExpectation() {
        AvroSerde<ChunkValue> serde = DbmSerdes.chunkValue(Map.of());
        assertThatThrownBy(() -> serde.deserialize("dbm.chunks", "{\"json\":1}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'dbm.chunks'").hasMessageContaining("10-byte ChunkValue")
                .hasMessageContaining("expected Avro single-object encoding").hasMessageContaining("7b 22 6a");
        assertThatThrownBy(() -> serde.deserialize("dbm.chunks", new byte[0])).hasMessageContaining("got no bytes");
        byte[] event = DbmSerdes.event(Map.of()).serialize("dbm.chunks", Samples.event(new BitmapCompleted(
                512L, 512L, false, false, 512L, "00", 1L, null, -1L, 0L, 0L, -1L)));
        assertThatThrownBy(() -> serde.deserialize("dbm.chunks", event))
                .hasMessageContaining(event.length + "-byte ChunkValue")
                .hasMessageContaining("none of the 4 known versions of ChunkValue");
        byte[] truncated = java.util.Arrays.copyOf(serde.serialize("dbm.chunks", (ChunkValue) Samples.all()
                .get(ChunkValue.class).get(1)), 14);
        assertThatThrownBy(() -> serde.deserialize("dbm.chunks", truncated))
                .hasMessageContaining("14-byte ChunkValue").hasMessageContaining("corrupt single-object")
                // Avro's EOFException has no message: the cause is said in words, not as "null"
                .hasMessageEndingWith("body: it ends before the record does (truncated, or a record of another type)");
        assertThatThrownBy(() -> serde.deserialize("dbm.chunks", new byte[] {0, 0, 0, 0, 7, 2}))
                .hasMessageContaining("Confluent wire format with schema id 7")
                .hasMessageContaining("no schema registry is configured (schema.registry.url)");
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> DbmSerdes.event(Map.of(SerdeConfig.FORMAT, "json")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'embedded' or 'registry'");
        assertThatThrownBy(() -> DbmSerdes.event(Map.of(SerdeConfig.FORMAT, "registry")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> DbmSerdes.event(Map.of(RegistryConfig.URL, "ftp://x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http or https");
        assertThatThrownBy(() -> DbmSerdes.event(Map.of(RegistryConfig.URL, "http://x",
                RegistryConfig.USER_INFO, "nocolon"))).hasMessageContaining("user:password");
        assertThatThrownBy(() -> DbmSerdes.event(Map.of(RegistryConfig.URL, "http://x",
                RegistryConfig.AUTO_REGISTER, "yes"))).hasMessageContaining("true or false");
        RegistryConfig c = RegistryConfig.from(Map.of(RegistryConfig.URL, "http://a:1/, http://b:2",
                RegistryConfig.BASIC_AUTH_SOURCE, "USER_INFO", RegistryConfig.USER_INFO, "u:p",
                RegistryConfig.AUTO_REGISTER, false, RegistryConfig.MAX_RETRIES, "5"));
        assertThat(c.urls()).extracting(Object::toString).containsExactly("http://a:1", "http://b:2");
        assertThat(c.autoRegister()).isFalse();
        assertThat(c.userInfo()).isEqualTo("u:p");
        assertThat(c.maxRetries()).isEqualTo(5);
        assertThat(RegistryConfig.from(Map.of(RegistryConfig.URL, "https://me:secret@r:8081",
                RegistryConfig.BASIC_AUTH_SOURCE, "URL")).userInfo()).isEqualTo("me:secret");
    }

    @Test
    void confluentFrameIsMagicBigEndianIdAndBody() {
        byte[] framed = WireFormat.confluentFrame(0x01020304, new byte[] {9, 8});
        assertThat(framed).containsExactly(0, 1, 2, 3, 4, 9, 8);
        assertThat(WireFormat.detect(framed)).isEqualTo(WireFormat.CONFLUENT);
        assertThat(WireFormat.confluentSchemaId(framed)).isEqualTo(0x01020304);
        assertThat(WireFormat.detect(new byte[] {0, 1, 2})).isNull();
        assertThat(List.of(WireFormat.values())).hasSize(2);
    }

    private static byte[] encodeSingleObject(Schema writer, GenericRecord record) {
        try {
            ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
