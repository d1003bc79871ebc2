package org.dbmstream.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts the committed records of a topic (a store's changelog after a run): how many writes of the
 * store reached the broker, which the write-back buffer should keep near one per dirty key and commit.
 */
public final class ChangelogCount {

    /** Committed records read, and how far the offsets moved (records, aborted ones and transaction markers). */
    public record Delta(long records, long offsets) {
    }

    private ChangelogCount() {
    }

    /** Committed records in {@code topic}, -1 when it does not exist. */
    static long committedRecords(String bootstrap, String topic) {
        return committedSince(bootstrap, topic, new java.util.HashMap<>()).records();
    }

    /**
     * Committed records of {@code topic} after the offsets in {@code from} (none: from the start), which
     * then move to the topic's end; records -1 when the topic does not exist.
     */
    public static Delta committedSince(String bootstrap, String topic, Map<TopicPartition, Long> from) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            var infos = c.listTopics(Duration.ofSeconds(30)).get(topic);
            if (infos == null) {
                return new Delta(-1, 0);
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            Map<TopicPartition, Long> start = c.beginningOffsets(parts);
            // records a log cleaner already removed are not there to count
            parts.forEach(tp -> c.seek(tp, Math.max(start.get(tp), from.getOrDefault(tp, 0L))));
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long count = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                count += c.poll(Duration.ofMillis(100)).count();
            }
            long offsets = parts.stream().mapToLong(tp -> end.get(tp) - from.getOrDefault(tp, 0L)).sum();
            from.putAll(end);
            return new Delta(count, offsets);
        }
    }
}
