package org.dbmstream.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.SchemaHistory;
import org.dbmstream.serdes.testing.ApicurioExtension;
import org.dbmstream.serdes.testing.ApicurioRegistry;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Registry mode against a real Apicurio Registry (Confluent-compatible API), started by
 * {@link ApicurioExtension}. Each test uses its own topic names, so subjects never collide.
 */
@ExtendWith(ApicurioExtension.class)
class RegistrySerdeIT {
    private static final AtomicInteger TOPIC = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ApicurioRegistry registry;

    RegistrySerdeIT(ApicurioRegistry registry) {
        this.registry = registry;
    }

    private Map<String, Object> config(Object... extra) {
        Map<String, Object> c = new HashMap<>(Map.of(SerdeConfig.FORMAT, "registry", RegistryConfig.URL, registry.url(),
                RegistryConfig.MAX_RETRIES, 1, RegistryConfig.RETRIES_WAIT_MS, 50));
        for (int i = 0; i < extra.length; i += 2) {
            c.put((String) extra[i], extra[i + 1]);
        }
        return c;
    }

    private static String topic(String name) {
        return "it" + TOPIC.incrementAndGet() + "." + name;
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyTypeRoundTripsAndAFreshClientReadsItById() throws Exception {
        String prefix = topic("");
        int checked = 0;
        for (var e : Samples.all().entrySet()) {
            boolean isKey = e.getKey() == ChunkKey.class;
            String topic = prefix + e.getKey().getSimpleName();
            AvroSerde writer = new AvroSerde(e.getKey(), config(), isKey);
            for (SpecificRecord value : e.getValue()) {
                byte[] bytes = writer.serialize(topic, value);
                assertThat(WireFormat.detect(bytes)).isEqualTo(WireFormat.CONFLUENT);
                // a fresh serde has empty caches: it must fetch the writer schema by id from the registry
                AvroSerde reader = new AvroSerde(e.getKey(), config(), isKey);
                assertThat(reader.deserialize(topic, bytes)).as(topic).isEqualTo(value);
                checked++;
            }
            String subject = AvroCodec.subject(topic, isKey);
            assertThat(registry.get("/subjects")).contains("\"" + subject + "\"");
            assertThat(new SchemaRegistryClient(RegistryConfig.of(registry.url())).versions(subject)).containsExactly(1);
        }
        assertThat(checked).isEqualTo(19);
    }

    @Test
    void lookupByIdFromAFreshClientGivesTheRegisteredSchema() {
        String subject = topic("chunks") + "-value";
        Schema schema = ChunkValue.getClassSchema();
        int id = new SchemaRegistryClient(RegistryConfig.of(registry.url())).register(subject, schema);
        Schema fetched = new SchemaRegistryClient(RegistryConfig.of(registry.url())).schemaById(id);
        assertThat(SchemaNormalization.parsingFingerprint64(fetched))
                .isEqualTo(SchemaNormalization.parsingFingerprint64(schema));
        assertThatThrownBy(() -> new SchemaRegistryClient(RegistryConfig.of(registry.url())).schemaById(987_654))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("fetch schema id 987654").hasMessageContaining("HTTP 404")
                .satisfies(ex -> assertThat(((SchemaRegistryException) ex).notFound()).isTrue());
    }

    /** A registry URL without Apicurio's API path: the error says which URL answered and where the API lives. */
    @Test
    void aUrlWithoutTheCompatibilityPathSaysWhereTheApiIs() {
        String root = registry.url().replaceFirst("/apis/ccompat/v7/?$", "");
        assertThat(root).isNotEqualTo(registry.url());
        String subject = topic("wrong-path") + "-value";
        assertThatThrownBy(() -> new SchemaRegistryClient(RegistryConfig.of(root))
                .register(subject, ChunkValue.getClassSchema()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("HTTP 404").hasMessageContaining("from " + root + "/subjects/")
                .hasMessageContaining("Apicurio Registry serves it under /apis/ccompat/v7");
        // a registry's own 404 (unknown id, error_code 40403) gets no such hint
        assertThatThrownBy(() -> new SchemaRegistryClient(RegistryConfig.of(registry.url())).schemaById(987_655))
                .hasMessageNotContaining("/apis/ccompat/v7, e.g.");
    }

    /** What Confluent's deserializer does: magic 0, be32 id, then plain Avro binary of the id's schema. */
    @Test
    void outputIsExactlyTheConfluentFraming() throws Exception {
        String topic = topic("events");
        Event event = (Event) Samples.all().get(Event.class).get(1);
        byte[] bytes = DbmSerdes.event(config()).serialize(topic, event);

        assertThat(bytes[0]).isZero();
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        String latest = registry.get("/subjects/" + topic + "-value/versions/latest");
        assertThat(JSON.readTree(latest).path("id").asInt()).isEqualTo(id);
        Schema writer = new Schema.Parser().parse(JSON.readTree(registry.get("/schemas/ids/" + id)).path("schema").asText());
        byte[] body = Arrays.copyOfRange(bytes, 5, bytes.length);
        GenericRecord generic = new GenericDatumReader<GenericRecord>(writer)
                .read(null, DecoderFactory.get().binaryDecoder(body, null));
        assertThat(generic.get("migration").toString()).isEqualTo("mig-1");
        assertThat(((GenericRecord) generic.get("body")).get("sha256").toString()).isEqualTo("ab".repeat(32));
        assertThat(generic.get("time")).isEqualTo(Samples.T.toEpochMilli());
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(again, null);
        new GenericDatumWriter<GenericRecord>(writer).write(generic, enc);
        enc.flush();
        assertThat(again.toByteArray()).as("body is plain Avro binary, nothing else").isEqualTo(body);
    }

    @Test
    void incompatibleSchemaIsRefusedWithAClearError() {
        SchemaRegistryClient client = new SchemaRegistryClient(RegistryConfig.of(registry.url()));
        // BACKWARD through the serde: the subject already holds an unrelated record with a required field
        String topic = topic("chunks");
        String subject = topic + "-key";
        Schema other = SchemaBuilder.record("ChunkKey").namespace("org.dbmstream.schemas").fields()
                .requiredLong("epoch").endRecord();
        client.register(subject, other);
        assertThat(client.setCompatibility(subject, "BACKWARD")).isEqualTo("BACKWARD");
        AvroSerde<ChunkKey> serde = DbmSerdes.chunkKey(config());
        assertThatThrownBy(() -> serde.serialize(topic, new ChunkKey("m", "n", "b")))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("register schema org.dbmstream.schemas.ChunkKey under subject '" + subject + "'")
                .hasMessageContaining("HTTP 409").hasMessageContaining("incompatible")
                .satisfies(ex -> assertThat(((SchemaRegistryException) ex).incompatible()).isTrue());

        // FULL directly: a new required field without default breaks backward compatibility
        String full = topic("chunks") + "-value";
        client.register(full, ChunkValue.getClassSchema());
        client.setCompatibility(full, "FULL");
        Schema broken = SchemaBuilder.record("ChunkValue").namespace("org.dbmstream.schemas").fields()
                .requiredLong("sequence").requiredString("sourceId").requiredInt("partitionEpoch")
                .name("body").type(ChunkValue.getClassSchema().getField("body").schema()).noDefault().endRecord();
        assertThatThrownBy(() -> client.register(full, broken))
                .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("HTTP 409");
    }

    /** Our own evolution passes a real registry's check: v0 registered first, then the current v1. */
    @Test
    void storedSchemaHistoryIsAcceptedUnderBackwardAndFull() {
        SchemaRegistryClient client = new SchemaRegistryClient(RegistryConfig.of(registry.url()));
        for (String level : List.of("BACKWARD", "FULL")) {
            String topic = topic("chunks");
            List<Schema> versions = SchemaHistory.versions("ChunkValue");
            int v0 = client.register(topic + "-value", versions.get(0));
            client.setCompatibility(topic + "-value", level);
            byte[] bytes = DbmSerdes.chunkValue(config()).serialize(topic,
                    (ChunkValue) Samples.all().get(ChunkValue.class).get(0));
            assertThat(WireFormat.confluentSchemaId(bytes)).isNotEqualTo(v0);
            assertThat(client.versions(topic + "-value")).as(level).containsExactly(1, 2);
        }
    }

    @Test
    void autoRegisterOffFailsClearlyUntilTheSchemaIsRegistered() throws Exception {
        String topic = topic("migrations");
        var strict = DbmSerdes.migrationSpec(config(RegistryConfig.AUTO_REGISTER, "false"));
        var spec = (org.dbmstream.schemas.MigrationSpec) Samples.all().get(org.dbmstream.schemas.MigrationSpec.class)
                .get(1);
        assertThatThrownBy(() -> strict.serialize(topic, spec))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("not registered under subject '" + topic + "-value'")
                .hasMessageContaining("auto.register.schemas is false");
        assertThat(registry.getStatus("/subjects/" + topic + "-value/versions")).isEqualTo(404);

        byte[] registered = DbmSerdes.migrationSpec(config()).serialize(topic, spec);
        byte[] strictBytes = strict.serialize(topic, spec);
        assertThat(strictBytes).isEqualTo(registered);
    }

    @Test
    void oneReaderReadsEmbeddedAndRegistryRecordsOfTheSameTopic() {
        String topic = topic("chunks");
        List<? extends SpecificRecord> values = Samples.all().get(ChunkValue.class);
        byte[] embedded = DbmSerdes.chunkValue(Map.of()).serialize(topic, (ChunkValue) values.get(0));
        byte[] confluent = DbmSerdes.chunkValue(config()).serialize(topic, (ChunkValue) values.get(1));
        // configured to write embedded, but it knows the registry, so it reads both
        var reader = DbmSerdes.chunkValue(Map.of(RegistryConfig.URL, registry.url()));
        assertThat(reader.deserialize(topic, embedded)).isEqualTo(values.get(0));
        assertThat(reader.deserialize(topic, confluent)).isEqualTo(values.get(1));
        assertThat(reader.serialize(topic, (ChunkValue) values.get(1))[0]).isEqualTo((byte) 0xC3);
    }

    @Test
    void httpsWithTruststoreWorksAndWithoutItFailsClearly() {
        String topic = topic("writes");
        var value = (org.dbmstream.schemas.DestinationWrite) Samples.all()
                .get(org.dbmstream.schemas.DestinationWrite.class).get(0);
        var tls = DbmSerdes.destinationWrite(config(RegistryConfig.URL, registry.httpsUrl(),
                TlsConfig.TRUSTSTORE_LOCATION, registry.truststore().toString(),
                TlsConfig.TRUSTSTORE_PASSWORD, ApicurioRegistry.PASSWORD, TlsConfig.TRUSTSTORE_TYPE, "PKCS12"));
        assertThat(tls.deserialize(topic, tls.serialize(topic, value))).isEqualTo(value);

        var untrusted = DbmSerdes.destinationWrite(config(RegistryConfig.URL, registry.httpsUrl(),
                RegistryConfig.MAX_RETRIES, 0));
        try (CapturedLogs logs = CapturedLogs.of(SchemaRegistryClient.class)) {
            assertThatThrownBy(() -> untrusted.serialize(topic("writes"), value))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("unreachable after 1 attempts").hasMessageContaining("SSL");
            assertThat(logs.warnings()).singleElement().asString().contains("failed (attempt 1/1)");
        }
    }

    @Test
    void damagedRecordNamesTopicLengthAndSchemaId() throws IOException {
        String topic = topic("chunks");
        var serde = DbmSerdes.chunkValue(config());
        byte[] ok = serde.serialize(topic, (ChunkValue) Samples.all().get(ChunkValue.class).get(1));
        byte[] cut = Arrays.copyOf(ok, 9);
        int id = WireFormat.confluentSchemaId(ok);
        assertThatThrownBy(() -> serde.deserialize(topic, cut))
                .hasMessageContaining("topic '" + topic + "'").hasMessageContaining("9-byte ChunkValue")
                .hasMessageContaining("schema id " + id);
        byte[] unknownId = WireFormat.confluentFrame(999_999, new byte[] {2});
        assertThatThrownBy(() -> serde.deserialize(topic, unknownId))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("topic '" + topic + "': cannot decode 6-byte ChunkValue record")
                .hasMessageContaining("cannot fetch schema id 999999: HTTP 404");
        // an Event's id read as ChunkValue: resolution fails and says so
        byte[] event = DbmSerdes.event(config()).serialize(topic("events"), Samples.event(
                new org.dbmstream.schemas.MigrationFailed("x")));
        assertThatThrownBy(() -> serde.deserialize(topic, event))
                .hasMessageContaining("cannot read schema id " + WireFormat.confluentSchemaId(event) + " as ChunkValue");
    }
}
