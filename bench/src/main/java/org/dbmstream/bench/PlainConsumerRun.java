package org.dbmstream.bench;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The baseline: a plain {@link KafkaConsumer} reading every record of the chunks topic as bytes,
 * with {@code read_committed} like the topology. Timed from partition assignment to the last
 * record, so that group join is not counted (the topology run also starts its clock at RUNNING).
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
        long[] assignedAt = {0};
        long seen = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // a single member: nothing to hand over
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (assignedAt[0] == 0) {
                        assignedAt[0] = System.nanoTime();
                    }
                }
            });
            while (seen < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("plain consumer read " + seen + " of " + expected + " records of " + topic);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                seen += records.count();
            }
            return System.nanoTime() - assignedAt[0];
        }
    }
}
