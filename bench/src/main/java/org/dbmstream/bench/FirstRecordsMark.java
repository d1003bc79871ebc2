package org.dbmstream.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The start of every timed run: the moment a consumer's poll first hands over records. The plain
 * consumer and the exactly-once pipe take it in their own loop; a Kafka Streams application's main
 * consumer carries this interceptor, which notes it per consumer group (the application id). Group
 * join, task initialization and the first fetch are thus outside the clock on every side alike
 * (Kafka Streams' RUNNING is no mark: 4.4 processes a ready task while others still initialize).
 */
public final class FirstRecordsMark implements ConsumerInterceptor<byte[], byte[]> {
    private static final Map<String, Long> MARKS = new ConcurrentHashMap<>();

    private String group;

    /** Kafka Streams properties that make {@code applicationId}'s main consumer leave its mark. */
    static Map<String, String> streamsProperties() {
        return Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
                FirstRecordsMark.class.getName());
    }

    /** Waits until the main consumer of {@code applicationId} received its first records; returns when it did. */
    static long await(String applicationId, Duration timeout, Runnable failCheck) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Long mark = MARKS.remove(applicationId);
            if (mark != null) {
                return mark;
            }
            failCheck.run();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(applicationId + " received no records within " + timeout);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object id = configs.get(ConsumerConfig.GROUP_ID_CONFIG);
        group = id == null ? "" : id.toString();
    }

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        if (!records.isEmpty()) {
            MARKS.putIfAbsent(group, System.nanoTime());
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        // nothing to note
    }

    @Override
    public void close() {
        // the mark outlives the consumer until the bench takes it
    }
}
