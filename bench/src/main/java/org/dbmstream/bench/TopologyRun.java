package org.dbmstream.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.serdes.AvroSerde;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.DestinationApp;

/**
 * One run of the destination application ({@link DestinationApp}, what {@code dbm destination} runs)
 * with its defaults (exactly_once_v2, RocksDB stores) over a chunks topic already filled: timed from the moment Kafka Streams reaches RUNNING (group join
 * excluded, as for the plain consumer) until the migration's MigrationCompleted event is readable.
 */
final class TopologyRun {

    /** Elapsed time, heap in use after a full GC with the application still open, and the bitmap's result. */
    record Result(long nanos, long heapAfterBytes, String sha256, long count) {
    }

    private TopologyRun() {
    }

    static DestinationConfig config(String bootstrap, Topics topics, Path stateDir, Map<String, String> settings) {
        return DestinationConfig.defaults(bootstrap, stateDir).withTopicPrefix(topics.prefix())
                .withApplicationId("bench-" + topics.prefix().replace('.', '-') + System.nanoTime())
                .withExtra(settings);
    }

    static Result run(String bootstrap, Topics topics, Path stateDir, String migration, Map<String, String> settings,
            Duration timeout) {
        DestinationConfig config = config(bootstrap, topics, stateDir, settings);
        AvroSerde<Event> eventSerde = DbmSerdes.event(Map.of());
        try (KafkaConsumer<byte[], byte[]> events = eventConsumer(bootstrap, topics.events());
             DestinationApp app = new DestinationApp(config)) {
            app.start();
            long runningAt = awaitRunning(app, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            String sha256 = null;
            long count = -1;
            while (true) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no MigrationCompleted for " + migration + " after " + timeout);
                }
                if (app.streams().state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("the destination topology failed");
                }
                for (ConsumerRecord<byte[], byte[]> r : events.poll(Duration.ofMillis(20))) {
                    Event e = eventSerde.deserialize(topics.events(), r.value());
                    if (!e.getMigration().equals(migration)) {
                        continue;
                    }
                    Object body = e.getBody();
                    if (body instanceof BitmapCompleted c) {
                        sha256 = c.getSha256();
                        count = c.getCount();
                    } else if (body instanceof MigrationFailed || body instanceof MigrationCancelled) {
                        throw new IllegalStateException("migration " + migration + " ended with " + body);
                    } else if (body instanceof MigrationCompleted) {
                        long nanos = System.nanoTime() - runningAt;
                        return new Result(nanos, heapAfterGc(), sha256, count);
                    }
                }
            }
        }
    }

    /** Polls finely rather than with the app's own wait, so the clock starts within a millisecond of RUNNING. */
    private static long awaitRunning(DestinationApp app, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (app.streams().state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || app.streams().state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("destination not running: " + app.streams().state());
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return System.nanoTime();
    }

    private static KafkaConsumer<byte[], byte[]> eventConsumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
        return c;
    }

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
