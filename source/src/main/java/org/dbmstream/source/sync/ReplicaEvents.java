package org.dbmstream.source.sync;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.dbmstream.schemas.Event;
import org.dbmstream.serdes.DbmSerdes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one target's events (read_committed, every partition of {@code events}, no consumer group), from a
 * given time on: the confirmations of a sync's own migrations and every change others make to the replica.
 * Undecodable records are skipped with a warning.
 */
final class ReplicaEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaEvents.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<Event> events;
    private final String topic;
    private final String target;
    private List<TopicPartition> partitions;

    ReplicaEvents(String bootstrapServers, String topic, Map<String, ?> serdeConfig, Map<String, ?> consumerOverrides,
            String target) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dbm-sync-events");
        p.putAll(consumerOverrides);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.events = DbmSerdes.event(serdeConfig).deserializer();
        this.topic = topic;
        this.target = target;
    }

    /** Positions every partition at the first event at or after {@code timeMs} (0: from the beginning). */
    void startAt(long timeMs, Duration timeout) {
        var infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist: is a destination running on it?");
        }
        partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(tp -> times.put(tp, Math.max(0, timeMs)));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times, timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = found.get(tp);
            consumer.seek(tp, at != null ? at.offset() : ends.get(tp));
        }
    }

    /** Hands over this target's events until every partition is read up to its end as of now. */
    void catchUp(Duration timeout, Consumer<Event> handler) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cannot read " + topic + " to its end within " + timeout);
            }
            poll(handler);
        }
    }

    /** One poll: this target's events, in the order read. */
    void poll(Consumer<Event> handler) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
            Event e;
            try {
                e = events.deserialize(topic, r.value());
            } catch (RuntimeException bad) {
                LOG.warn("skipping an undecodable event at {}-{}@{}: {}", topic, r.partition(), r.offset(),
                        bad.getMessage());
                continue;
            }
            if (e != null && target.equals(e.getTarget())) {
                handler.accept(e);
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
