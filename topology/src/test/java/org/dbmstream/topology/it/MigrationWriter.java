package org.dbmstream.topology.it;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.chunk.MigrationSequencer;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.AvroSerde;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;

/**
 * Plays the source side for the integration tests: writes migration specs and chunks, keyed and
 * numbered as DESIGN.md section 6 says, through the project's own serdes; and raw bytes for
 * poison pills.
 */
final class MigrationWriter implements AutoCloseable {

    private final Topics topics;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroSerde<ChunkKey> keySerde = DbmSerdes.chunkKey(Map.of());
    private final Map<ChunkKey, Long> sequences = new HashMap<>();

    MigrationWriter(KafkaBroker broker, Topics topics) {
        this.topics = topics;
        Properties p = broker.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The migration spec: target only, no mapping, nodes implied by START. */
    void spec(String migration, String target) {
        spec(migration, target, null);
    }

    /** The migration spec with a destination block-bitmap-mapping (null: none). */
    void spec(String migration, String target, List<org.dbmstream.schemas.NodeMapping> mapping) {
        MigrationSpec spec = new MigrationSpec(migration, target, mapping, null, Instant.now(), false);
        byte[] value = DbmSerdes.migrationSpec(Map.of()).serializer().serialize(topics.migrations(), spec);
        send(topics.migrations(), migration.getBytes(java.nio.charset.StandardCharsets.UTF_8), value);
    }

    /** The spec again with the source-cancel header, as a source publishes it to cancel the migration. */
    void sourceCancel(String migration, String target, String reason) {
        MigrationSpec spec = new MigrationSpec(migration, target, null, null, Instant.now(), false);
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topics.migrations(),
                migration.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                DbmSerdes.migrationSpec(Map.of()).serializer().serialize(topics.migrations(), spec));
        r.headers().add(org.dbmstream.serdes.SpecHeaders.CANCEL, reason.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        producer.send(r);
    }

    /** Spec, then every chunk of {@code bitmaps} in QEMU's save order (setup, bulk, completion). */
    void migrate(String migration, String target, List<MigrationBitmap> bitmaps) {
        spec(migration, target);
        MigrationSequencer sequencer = new MigrationSequencer(bitmaps);
        sequencer.setup(c -> chunk(migration, c));
        sequencer.complete(c -> chunk(migration, c));
        producer.flush();
    }

    /** One chunk of {@code migration}, with the next sequence number of its key. */
    void chunk(String migration, Chunk chunk) {
        ChunkKey key = ChunkRecords.keyOf(migration, chunk);
        long seq = sequences.merge(key, 1L, Long::sum) - 1;
        byte[] k = keySerde.serializer().serialize(topics.chunks(), key);
        byte[] v = DbmSerdes.chunkValue(Map.of()).serializer().serialize(topics.chunks(),
                ChunkRecords.toAvro(chunk, seq, "it"));
        send(topics.chunks(), k, v);
    }

    /** The serialized chunks-topic key of a bitmap, for records written by hand. */
    byte[] key(String migration, String nodeAlias, String bitmapAlias) {
        return keySerde.serializer().serialize(topics.chunks(), new ChunkKey(migration, nodeAlias, bitmapAlias));
    }

    void send(String topic, byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
