package org.dbmstream.topology.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.schemas.Event;
import org.dbmstream.serdes.DbmSerdes;

/**
 * Reads a topic from the beginning with {@code read_committed} (what an exactly-once pipeline
 * publishes) and keeps every record, so a test can wait for the events it expects.
 */
final class EventLog implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final boolean decodeEvents;

    private EventLog(KafkaBroker broker, String topic, boolean decodeEvents) {
        Properties p = broker.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.decodeEvents = decodeEvents;
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The events topic, decoded with the project's serde. */
    static EventLog events(KafkaBroker broker, String topic) {
        return new EventLog(broker, topic, true);
    }

    /** Any topic as raw records (e.g. the dead-letter queue). */
    static EventLog raw(KafkaBroker broker, String topic) {
        return new EventLog(broker, topic, false);
    }

    /** Polls until {@code done} holds for the events read so far; fails with them listed on timeout. */
    List<Event> awaitEvents(Predicate<List<Event>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(events)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting on " + topic + "; events so far:\n"
                        + String.join("\n", events.stream().map(Event::toString).toList()));
            }
            poll();
        }
        return List.copyOf(events);
    }

    /** Polls until at least {@code n} records were read. */
    List<ConsumerRecord<byte[], byte[]>> awaitRecords(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (records.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + ": " + records.size() + " of " + n
                        + " records on " + topic);
            }
            poll();
        }
        return List.copyOf(records);
    }

    /** Keeps polling for {@code quiet} and returns everything read, to show that nothing more arrives. */
    List<Event> settle(Duration quiet) {
        long until = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < until) {
            poll();
        }
        return List.copyOf(events);
    }

    private void poll() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            records.add(r);
            if (decodeEvents) {
                events.add(DbmSerdes.event(Map.of()).deserializer().deserialize(topic, r.value()));
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
