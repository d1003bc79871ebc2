package org.dbmstream.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The context baseline: the least a fault-tolerant consumer that must persist every chunk does. A
 * {@code read_committed} {@link KafkaConsumer} and a transactional {@link KafkaProducer} copy every record
 * of the chunks topic, bytes unchanged, to another topic, and commit the consumed offsets inside the
 * transaction every {@code commit.interval.ms} (the destination's own interval), as exactly-once
 * consume-transform-produce does. The producer and the consumer's fetch sizes are those Kafka Streams
 * derives from the destination's properties (linger, batch size, compression, fetch bytes), so both
 * sides read and write alike.
 * Timed from the first records polled ({@link FirstRecordsMark}) until the transaction holding the last
 * record has committed.
 */
final class EosPipeRun {

    private EosPipeRun() {
    }

    /**
     * Copies {@code expected} records from {@code from} to {@code to}; returns the elapsed nanoseconds.
     *
     * @param streams the destination's Kafka Streams properties (commit interval and producer settings)
     */
    static long copyAll(String bootstrap, String from, String to, long expected, Properties streams,
            Duration timeout) {
        StreamsConfig config = new StreamsConfig(streams);
        long commitIntervalMs = config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        Map<String, Object> producerProps = new HashMap<>(config.getProducerConfigs("bench-eos-pipe"));
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-eos-pipe-" + System.nanoTime());
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-eos-pipe-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // fetch and poll sizes as Kafka Streams' main consumer has them
        Map<String, Object> main = config.getMainConsumerConfigs("bench-eos-pipe", "bench-eos-pipe", 0);
        for (String key : List.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG)) {
            if (main.get(key) != null) {
                c.put(key, main.get(key));
            }
        }

        long firstAt = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            producer.initTransactions();
            consumer.subscribe(List.of(from));
            long seen = 0;
            long lastCommit = System.nanoTime();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            producer.beginTransaction();
            while (true) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("EOS pipe copied " + seen + " of " + expected + " records of "
                            + from);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (firstAt == 0 && !records.isEmpty()) {
                    firstAt = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(to, r.key(), r.value()));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    seen++;
                }
                boolean last = seen >= expected;
                if (!offsets.isEmpty() && (last || System.nanoTime() - lastCommit >= commitIntervalMs * 1_000_000)) {
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    offsets.clear();
                    lastCommit = System.nanoTime();
                    if (last) {
                        return lastCommit - firstAt;
                    }
                    producer.beginTransaction();
                }
            }
        }
    }
}
