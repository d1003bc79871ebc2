package org.dbmstream.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads back every record of a topic as bytes, so a plain producer can send exactly the same bytes. */
final class RecordCapture {

    /** One record's key and value bytes. */
    record Bytes(byte[] key, byte[] value) {
        long size() {
            return (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        }
    }

    private RecordCapture() {
    }

    static List<Bytes> readAll(String bootstrap, String topic, long expected, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<Bytes> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            while (out.size() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("read " + out.size() + " of " + expected + " records of " + topic);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    out.add(new Bytes(r.key(), r.value()));
                }
            }
        }
        return out;
    }
}
