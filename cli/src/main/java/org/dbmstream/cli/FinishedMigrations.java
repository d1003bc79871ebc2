package org.dbmstream.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.dbmstream.schemas.Event;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator of {@code dbm destination} sees at the default level: one line per migration that
 * finished (completed, cancelled or failed) from the moment the destination started, with its id,
 * target, outcome and bitmaps. Follows the events topic (read_committed, every partition, from its end
 * at start) on its own thread.
 */
final class FinishedMigrations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FinishedMigrations.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<Event> events;
    private final String topic;
    private final PrintWriter out;
    private final Thread thread;
    private volatile boolean running = true;

    FinishedMigrations(final String bootstrapServers, final String topic, final Map<String, ?> serdeConfig,
            final Map<String, String> extra, final PrintWriter out) {
        final Map<String, Object> p = new HashMap<>();
        extra.forEach((k, v) -> {
            // config providers too, so that ${env:...} values (secrets in Kubernetes) resolve as in Kafka Streams;
            // group membership (static member ids such as ${env:POD_NAME}) is Kafka Streams'; this one only assigns
            if ((ConsumerConfig.configNames().contains(k) || k.startsWith("config.providers"))
                    && !k.equals(ConsumerConfig.GROUP_ID_CONFIG) && !k.equals(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) {
                p.put(k, v);
            }
        });
        // the report reads without a group: the destination's static member id must stay Kafka Streams' alone
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dbm-destination-report");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.events = DbmSerdes.event(serdeConfig).deserializer();
        this.topic = topic;
        this.out = out;
        this.thread = new Thread(this::run, "dbm-destination-report");
        this.thread.setDaemon(true);
    }

    FinishedMigrations start() {
        final List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position); // fix the start now: what finishes from here on is reported
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    report(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.warn("stopped reporting finished migrations: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
            events.close();
        }
    }

    private void report(final ConsumerRecord<byte[], byte[]> r) {
        final Event e;
        try {
            e = r.value() == null ? null : events.deserialize(r.topic(), r.value());
        } catch (RuntimeException ex) {
            LOG.warn("skipping undecodable event at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), ex.toString());
            return;
        }
        if (e != null && (e.getBody() instanceof MigrationCompleted || e.getBody() instanceof MigrationCancelled
                || e.getBody() instanceof MigrationFailed)) {
            out.println(EventFormat.line(e));
            out.flush();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
