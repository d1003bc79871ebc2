package org.dbmstream.bench;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The baseline: a plain {@link KafkaConsumer} reading every record of the chunks topic as bytes,
 * with {@code read_committed} like the topology. Timed from the first records polled to the last
 * record, as every run of the bench is ({@link FirstRecordsMark}): group join is not counted.
 */
final class PlainConsumerRun {

    private PlainConsumerRun() {
    }

    /** Reads {@code expected} records from {@code topic}; returns the elapsed nanoseconds. */
    static long readAll(String bootstrap, String topic, long expected, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-plain-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long firstAt = 0;
        long seen = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (seen < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("plain consumer read " + seen + " of " + expected + " records of " + topic);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (firstAt == 0 && !records.isEmpty()) {
                    firstAt = System.nanoTime();
                }
                seen += records.count();
            }
            return System.nanoTime() - firstAt;
        }
    }
}
