package org.dbmstream.cli.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.dbmstream.schemas.Event;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;

/**
 * Reads the whole events topic (committed records only, every partition, no consumer group) into a tally,
 * in a thread of its own from construction to {@link #close()}, so that each event's arrival time is known
 * while faults happen.
 */
final class EventReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<Event> events = DbmSerdes.event(Map.of()).deserializer();
    private final Thread thread;
    private volatile boolean closed;

    EventReader(String bootstrap, Topics topics, ChaosTally tally, Consumer<String> progress) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = consumer.partitionsFor(topics.events(), Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        thread = new Thread(() -> {
            try {
                while (!closed) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.value() != null) {
                            tally.add(events.deserialize(r.topic(), r.value()), System.nanoTime());
                        }
                    }
                }
            } catch (RuntimeException e) {
                progress.accept("the events reader stopped: " + e);
            } finally {
                consumer.close();
            }
        }, "chaos-events");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(30_000);
    }
}
