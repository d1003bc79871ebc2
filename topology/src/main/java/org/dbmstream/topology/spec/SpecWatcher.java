package org.dbmstream.topology.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.topology.record.SpecRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code migrations} topic as it is written, so that a loading task knows a new migration's
 * spec before the spec's control record arrives. That record takes a commit of the broadcasting task
 * and a fetch of every control partition (exactly-once makes it visible only once committed); chunks
 * that come first wait in the parked store and are replayed, which cost a fifth of the stream thread
 * in runs where a destination catches up on a filled chunks topic, and the first chunks' latency.
 *
 * <p>A hint, never the authority: the control record still arrives and is applied as before; the
 * watcher only lets the first chunk adopt the spec early (specs are immutable under their migration id:
 * sources refuse other content under a used id). It reads committed records only ({@code
 * read_committed}, as the topology does), keeps at most {@value #MAX_SPECS} specs (the newest; a miss
 * only means waiting for the control record), drops tombstones, and never fails the application: a
 * record it cannot decode is left to the topology (dead-letter queue), a broker error is logged and
 * retried. Uses the Kafka Streams global consumer's client settings (security included), no group.
 */
public final class SpecWatcher implements SpecLookup, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpecWatcher.class);
    /** Specs kept in memory (a few hundred bytes each). */
    public static final int MAX_SPECS = 10_000;
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long PARTITION_REFRESH_MS = 30_000;

    private final String topic;
    private final Map<String, Object> consumerConfig;
    private final Deserializer<MigrationSpec> specs;
    private final Map<String, SpecRecord> known = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SpecRecord> eldest) {
            return size() > MAX_SPECS;
        }
    };
    private volatile boolean closed;
    private volatile boolean caughtUp;
    private Map<TopicPartition, Long> startEnds = Map.of();
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param streamsProperties the destination's Kafka Streams properties (client and security settings)
     * @param topic             the migrations topic
     * @param specs             the migrations topic's value deserializer (Avro, embedded or registry)
     */
    public SpecWatcher(Properties streamsProperties, String topic, Deserializer<MigrationSpec> specs) {
        StreamsConfig config = new StreamsConfig(streamsProperties);
        String clientId = config.getString(StreamsConfig.APPLICATION_ID_CONFIG) + "-spec-watcher";
        Map<String, Object> c = new java.util.HashMap<>(config.getGlobalConsumerConfigs(clientId));
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerConfig = c;
        this.topic = topic;
        this.specs = specs;
    }

    /** Starts reading in a daemon thread of its own. */
    public synchronized SpecWatcher start() {
        if (thread == null && !closed) {
            consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            thread = new Thread(this::run, consumerConfig.get(ConsumerConfig.CLIENT_ID_CONFIG).toString());
            thread.setDaemon(true);
            thread.start();
        }
        return this;
    }

    @Override
    public SpecRecord find(String migration) {
        if (!caughtUp) {
            // until it has read what the topic held at start, a spec it offers might since have been removed
            return null;
        }
        synchronized (known) {
            return known.get(migration);
        }
    }

    /** How many specs are held. */
    public int size() {
        synchronized (known) {
            return known.size();
        }
    }

    /** True once it has read every record the topic held when it started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Records one record of the migrations topic (null value: the spec was removed). */
    void accept(String migration, byte[] value) {
        if (migration == null) {
            return;
        }
        if (value == null) {
            synchronized (known) {
                known.remove(migration);
            }
            return;
        }
        SpecRecord spec;
        try {
            spec = SpecRecord.of(migration, specs.deserialize(topic, value));
        } catch (RuntimeException undecodable) {
            // the topology sends it to the dead-letter queue; here it is simply not a hint
            LOG.debug("Spec record of migration '{}' not decodable here: {}", migration, undecodable.toString());
            return;
        }
        synchronized (known) {
            known.put(migration, spec);
        }
    }

    private void run() {
        long assignedAt = 0;
        boolean failing = false;
        try {
            while (!closed) {
                try {
                    long now = System.currentTimeMillis();
                    if (now - assignedAt >= PARTITION_REFRESH_MS) {
                        assign();
                        assignedAt = now;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                        accept(r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                                r.value());
                    }
                    if (!caughtUp && startEnds.entrySet().stream()
                            .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                        caughtUp = true;
                        LOG.info("Read {} specs of {}; chunks of new migrations now find their spec ahead of its "
                                + "control record", size(), topic);
                    }
                    failing = false;
                } catch (WakeupException e) {
                    break;
                } catch (RuntimeException e) {
                    if (!failing) {
                        LOG.warn("Reading {} ahead of the topology failed (chunks wait for their spec's control record "
                                + "meanwhile): {}", topic, e.toString());
                        failing = true;
                    }
                    assignedAt = 0;
                    sleep();
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Assigns every partition of the topic (new ones from their beginning). */
    private void assign() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo i : infos == null ? List.<PartitionInfo>of() : infos) {
            partitions.add(new TopicPartition(topic, i.partition()));
        }
        if (!partitions.equals(new ArrayList<>(consumer.assignment())) && !partitions.isEmpty()) {
            List<TopicPartition> added = new ArrayList<>(partitions);
            added.removeAll(consumer.assignment());
            consumer.assign(partitions);
            consumer.seekToBeginning(added);
            if (!caughtUp) {
                startEnds = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            }
        }
    }

    private void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops reading; waits a few seconds for the thread. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        if (t != null) {
            consumer.wakeup();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
