package org.dbmstream.bench;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.chunk.MigrationSequencer;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;

/**
 * Writes one migration to the topics as the source would: its spec to {@code migrations}, then
 * every chunk in QEMU's order (START, EOS, BITS, COMPLETE, final EOS with the manifest) to
 * {@code chunks}, keyed by migration, node alias and bitmap alias with per-key sequence numbers.
 */
final class ChunkPublisher implements AutoCloseable {

    /**
     * What one publish wrote, and how long sending the chunks took (first send to the flush that
     * acknowledged the last one: the broker's produce rate on this machine, idempotent, acks=all).
     * {@code ackedAt}: {@link System#nanoTime()} when the last chunk was acknowledged.
     */
    record Published(long records, long bitsChunks, long bitmapBytes, long nanos, long ackedAt) {
    }

    private final Topics topics;
    private final ChunkSize chunkSize;
    private final KafkaProducer<String, MigrationSpec> specs;
    private final KafkaProducer<ChunkKey, ChunkValue> chunks;

    /** Producers kept open for many migrations (a running source), BITS chunks of {@code chunkSize}. */
    ChunkPublisher(String bootstrap, Topics topics, ChunkSize chunkSize) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        Map<String, Object> serdeConfig = Map.of();
        this.topics = topics;
        this.chunkSize = chunkSize;
        this.specs = new KafkaProducer<>(p, new StringSerializer(), DbmSerdes.migrationSpec(serdeConfig).serializer());
        this.chunks = new KafkaProducer<>(p, DbmSerdes.chunkKey(serdeConfig).serializer(),
                DbmSerdes.chunkValue(serdeConfig).serializer());
    }

    /** Publishes one migration with producers of its own, BITS chunks of {@code chunkSize}. */
    static Published publish(String bootstrap, Topics topics, String migration, String target,
            List<MigrationBitmap> bitmaps, ChunkSize chunkSize) {
        try (ChunkPublisher publisher = new ChunkPublisher(bootstrap, topics, chunkSize)) {
            return publisher.send(migration, target, bitmaps);
        }
    }

    /** Publishes the spec (acknowledged first), then every chunk; returns once all are acknowledged. */
    Published send(String migration, String target, List<MigrationBitmap> bitmaps) {
        long[] counts = new long[3];
        MigrationSpec spec = new MigrationSpec(migration, target, null, null, Instant.now(), false);
        specs.send(new ProducerRecord<>(topics.migrations(), migration, spec));
        specs.flush();
        Map<ChunkKey, Long> sequence = new HashMap<>();
        MigrationSequencer sequencer = new MigrationSequencer(bitmaps, chunkSize);
        java.util.function.Consumer<Chunk> sink = chunk -> {
            ChunkKey key = ChunkRecords.keyOf(migration, chunk);
            long seq = sequence.merge(key, 1L, Long::sum) - 1;
            chunks.send(new ProducerRecord<>(topics.chunks(), key, ChunkRecords.toAvro(chunk, seq, "bench")));
            counts[0]++;
            if (chunk instanceof Chunk.Bits b) {
                counts[1]++;
                counts[2] += b.zeroes() ? 0 : b.payload().length;
            }
        };
        long startedAt = System.nanoTime();
        sequencer.setup(sink);
        sequencer.complete(sink);
        chunks.flush();
        long ackedAt = System.nanoTime();
        return new Published(counts[0], counts[1], counts[2], ackedAt - startedAt, ackedAt);
    }

    @Override
    public void close() {
        specs.close();
        chunks.close();
    }
}
