package org.dbmstream.source;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.WritesApplied;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one migration on the {@code events} topic (read_committed, every partition, from the
 * beginning or from a given time, no consumer group) and hands its events over as they come until
 * MigrationCompleted, MigrationCancelled or MigrationFailed. Events of one migration may sit on several
 * partitions, so after the final event it still reads every partition up to its end, so no earlier
 * event of the migration is missed. Undecodable records are skipped with a warning.
 */
public final class MigrationWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationWatcher.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<Event> events;
    private final String topic;
    private final String migration;
    private Instant since;
    private boolean positioned;

    /**
     * Watches {@code migration}. {@code serdeConfig} as for the publisher (empty: embedded Avro);
     * {@code consumerOverrides} are extra consumer settings (security etc.).
     */
    public MigrationWatcher(String bootstrapServers, Topics topics, Map<String, ?> serdeConfig, String migration,
            Map<String, ?> consumerOverrides) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dbm-watch-" + migration);
        p.putAll(consumerOverrides);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.events = DbmSerdes.event(serdeConfig).deserializer();
        this.topic = topics.events();
        this.migration = migration;
    }

    public MigrationWatcher(String bootstrapServers, Topics topics, String migration) {
        this(bootstrapServers, topics, Map.of(), migration, Map.of());
    }

    /**
     * Skips events written before {@code time} (e.g. when the migration's publication began), so a large
     * events topic is not read from its start; without it, every partition is read from the beginning.
     */
    public MigrationWatcher since(Instant time) {
        this.since = time;
        return this;
    }

    /**
     * Reads the migration's events, passing each to {@code onEvent}, until its final event (then up to
     * the end of every partition) or until {@code timeout} passes.
     */
    public MigrationOutcome await(Duration timeout, Consumer<Event> onEvent) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Event> seen = new ArrayList<>();
        if (!positioned && !assign(deadline)) {
            return new MigrationOutcome(MigrationOutcome.Status.TIMED_OUT, null, seen);
        }
        Event terminal = null;
        Map<TopicPartition, Long> drainTo = null;
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                Event e = decode(r);
                if (e == null || !migration.equals(e.getMigration())) {
                    continue;
                }
                seen.add(e);
                onEvent.accept(e);
                if (terminal == null && MigrationOutcome.statusOf(e) != null) {
                    terminal = e;
                    drainTo = consumer.endOffsets(consumer.assignment());
                }
            }
            if (terminal != null && caughtUp(drainTo)) {
                return new MigrationOutcome(MigrationOutcome.statusOf(terminal), terminal, seen);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while watching migration " + migration);
            }
        }
        return terminal == null ? new MigrationOutcome(MigrationOutcome.Status.TIMED_OUT, null, seen)
                : new MigrationOutcome(MigrationOutcome.statusOf(terminal), terminal, seen);
    }

    /**
     * After {@link #await}: reads on, passing the migration's events to {@code onEvent}, until the answers
     * (WritesApplied) to write barrier {@code barrier} came from every one of the destination's
     * {@code partitions} loading partitions. Returns false if {@code timeout} passed first.
     */
    public boolean awaitBarrier(String barrier, int partitions, Duration timeout, Consumer<Event> onEvent)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        java.util.Set<Integer> answered = new java.util.HashSet<>();
        while (answered.size() < partitions) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                Event e = decode(r);
                if (e == null || !migration.equals(e.getMigration())) {
                    continue;
                }
                onEvent.accept(e);
                if (e.getBody() instanceof WritesApplied w && w.getBarrier().equals(barrier)) {
                    answered.add(w.getPartition());
                }
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while watching migration " + migration);
            }
        }
        return true;
    }

    /**
     * Assigns every partition of the events topic and fixes the position on each now (waiting up to
     * {@code timeout} for the topic to exist); {@link #await} does it when it was not done before. Returns
     * false when the topic does not exist in time.
     *
     * <p>The positions are concrete offsets, resolved here: an event written after this call is always
     * read. (A lazy {@code seekToEnd} would be resolved at the first poll, so an event written in between,
     * such as the fast MigrationFailed of an "already exists", was skipped and the watch never ended.)
     */
    public boolean position(Duration timeout) throws InterruptedException {
        return positioned || assign(System.nanoTime() + timeout.toNanos());
    }

    private boolean assign(long deadline) throws InterruptedException {
        while (true) {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (parts != null && !parts.isEmpty()) {
                List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                if (since != null) {
                    // ends first: a record written after this snapshot lies at or after it, whatever
                    // offsetsForTimes saw
                    Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
                    Map<TopicPartition, Long> times = new HashMap<>();
                    tps.forEach(tp -> times.put(tp, since.toEpochMilli()));
                    consumer.offsetsForTimes(times).forEach((tp, found) ->
                            consumer.seek(tp, found != null ? found.offset() : ends.get(tp)));
                }
                // resolve every position now (seekToBeginning is lazy too)
                tps.forEach(consumer::position);
                positioned = true;
                return true;
            }
            if (System.nanoTime() >= deadline) {
                LOG.warn("events topic {} does not exist (is the destination running?)", topic);
                return false;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> ends) {
        for (var e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private Event decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return r.value() == null ? null : events.deserialize(r.topic(), r.value());
        } catch (RuntimeException ex) {
            LOG.warn("skipping undecodable event at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), ex.toString());
            return null;
        }
    }

    @Override
    public void close() {
        consumer.close();
        events.close();
    }
}
