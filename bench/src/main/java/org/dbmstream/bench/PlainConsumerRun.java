package org.dbmstream.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The baseline: a plain {@link KafkaConsumer} reading every record of the chunks topic as bytes,
 * with {@code read_committed} like the topology. Timed from the first records polled to the last
 * record, as every run of the bench is ({@link FirstRecordsMark}): group join is not counted.
 *
 * <p>It fetches exactly as the destination's own main consumer does: the fetch and poll settings are
 * taken from what Kafka Streams derives for its main consumer from the destination's properties
 * ({@link #TUNED}), so the baseline is not handicapped by the client's defaults.
 */
final class PlainConsumerRun {

    private PlainConsumerRun() {
    }

    /** Consumer settings copied from the destination's main consumer. */
    static final List<String> TUNED = List.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG, ConsumerConfig.FETCH_MIN_BYTES_CONFIG,
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            ConsumerConfig.RECEIVE_BUFFER_CONFIG, ConsumerConfig.CHECK_CRCS_CONFIG);

    /**
     * The fetch and poll settings of the main consumer Kafka Streams builds from {@code streamsProperties}
     * (the destination's), restricted to {@link #TUNED}.
     */
    static Map<String, Object> tunedLike(Properties streamsProperties) {
        Map<String, Object> main = new StreamsConfig(streamsProperties).getMainConsumerConfigs("bench", "bench", 0);
        Map<String, Object> tuned = new TreeMap<>();
        for (String key : TUNED) {
            Object v = main.get(key);
            tuned.put(key, v != null ? v : defaultOf(key));
        }
        return tuned;
    }

    private static Object defaultOf(String key) {
        return ConsumerConfig.configDef().defaultValues().get(key);
    }

    /**
     * Reads {@code expected} records from {@code topic} with the {@code tuning} of {@link #tunedLike};
     * returns the elapsed nanoseconds.
     */
    static long readAll(String bootstrap, String topic, long expected, Map<String, Object> tuning, Duration timeout) {
        Properties p = new Properties();
        p.putAll(tuning);
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
