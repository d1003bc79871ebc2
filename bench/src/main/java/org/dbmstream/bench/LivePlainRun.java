package org.dbmstream.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A plain {@code read_committed} consumer, tuned like the destination's main consumer
 * ({@link PlainConsumerRun#tunedLike}), reading a topic <em>while</em> it is being published: the
 * like-for-like comparison for a destination that reads migrations as they arrive. Timed as the steady
 * bench times the destination: from the first send to the last record read.
 */
final class LivePlainRun {

    /** Records read, nanoseconds from the first send to the last record read, and of publishing alone. */
    record Result(long records, long nanos, long publishNanos) {
    }

    private LivePlainRun() {
    }

    /**
     * Assigns the consumer to every partition of {@code topic} (from the beginning), then runs
     * {@code publish} (which returns the number of records it sent, all acknowledged) and waits until the
     * consumer read that many.
     */
    static Result run(String bootstrap, String topic, Map<String, Object> tuning, LongSupplier publish,
            Duration timeout) {
        Properties p = new Properties();
        p.putAll(tuning);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        AtomicLong expected = new AtomicLong(Long.MAX_VALUE);
        AtomicLong lastReadAt = new AtomicLong();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            parts.forEach(consumer::position); // offsets resolved before the clock starts
            long deadline = System.nanoTime() + timeout.toNanos();
            Thread reader = new Thread(() -> {
                try {
                    long seen = 0;
                    while (seen < expected.get()) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("live plain consumer read " + seen + " records of " + topic);
                        }
                        int n = consumer.poll(Duration.ofMillis(20)).count();
                        if (n > 0) {
                            seen += n;
                            lastReadAt.set(System.nanoTime());
                        }
                    }
                } catch (RuntimeException e) {
                    failure.set(e);
                }
            }, "bench-live-plain");
            long startedAt = System.nanoTime();
            reader.start();
            long records = 0;
            try {
                records = publish.getAsLong();
            } finally {
                expected.set(records); // 0 if publishing failed: the reader stops
            }
            long publishedAt = System.nanoTime();
            reader.join(timeout.toMillis());
            if (failure.get() != null) {
                throw failure.get();
            }
            if (reader.isAlive()) {
                throw new IllegalStateException("live plain consumer still reading " + topic + " after " + timeout);
            }
            return new Result(records, lastReadAt.get() - startedAt, publishedAt - startedAt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
