package org.dbmstream.cli.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.serdes.AvroSerde;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;

/** Counts a migration's records on the chunks topic as they arrive, to kill its publisher truly mid-way. */
final class ChunkCounter implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroSerde<ChunkKey> keys = DbmSerdes.chunkKey(Map.of());
    private final String topic;

    ChunkCounter(String bootstrap, Topics topics) {
        this.topic = topics.chunks();
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    /** Waits until {@code migration} has at least {@code n} records (or the time is up); returns how many it saw. */
    long awaitRecordsOf(String migration, int n, Duration timeout) {
        long seen = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen < n && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.key() != null && migration.equals(keys.deserializer().deserialize(topic, r.key()).getMigration())) {
                    seen++;
                }
            }
        }
        return seen;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
