package org.dbmstream.topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.store.StoreNames;

/**
 * Settings of the destination application. The named ones have flags in the CLI; everything else (any
 * Kafka Streams or client setting, the serde format and schema registry) comes from an optional
 * properties file, whose values the named settings override.
 *
 * @param bootstrapServers    Kafka brokers
 * @param applicationId       Kafka Streams application id (consumer group, internal topic prefix)
 * @param stateDir            directory of the RocksDB state stores
 * @param topicPrefix         common prefix of the topics ({@value Topics#DEFAULT_PREFIX} by default)
 * @param processingGuarantee {@code exactly_once_v2} (default) or {@code at_least_once}
 * @param extra               further properties (from the properties file)
 */
public record DestinationConfig(String bootstrapServers, String applicationId, Path stateDir, String topicPrefix,
        String processingGuarantee, Map<String, String> extra) {
    /** Default application id. */
    public static final String DEFAULT_APPLICATION_ID = "dbm-destination";
    /** Name of the control topic after the prefix: spec and cancel/fail broadcasts to every partition. */
    public static final String CONTROL_TOPIC = "control";
    /** Partitions of topics the application creates when they are missing (property name). */
    public static final String TOPIC_PARTITIONS = "dbm.topic.partitions";
    /** Replication factor of topics the application creates when they are missing (property name). */
    public static final String TOPIC_REPLICATION = "dbm.topic.replication.factor";
    /**
     * Longest time (ms) an event, a migration fact or a cancel/fail decision waits before the task that
     * produced it asks for an early commit (property name; {@value #DEFAULT_EVENT_COMMIT_INTERVAL_MS} by
     * default). Bulk BITS chunks commit every {@code commit.interval.ms}; what someone waits for does not.
     */
    public static final String EVENT_COMMIT_INTERVAL = "dbm.event.commit.interval.ms";
    /**
     * Default of {@link #EVENT_COMMIT_INTERVAL}. A migration's completion crosses two tasks (the loading task's
     * BitmapCompleted, the tracker's MigrationCompleted), each waiting up to this long for its commit: at 100 ms
     * (Kafka Streams' own exactly-once interval) bench steady's p50 was 186-205 ms, at 50 ms 170-189 ms with the
     * same throughput (issue 21). Bulk chunks still commit every {@code commit.interval.ms}.
     */
    public static final long DEFAULT_EVENT_COMMIT_INTERVAL_MS = 50;
    /**
     * Default {@code commit.interval.ms} under exactly-once (Kafka Streams' own is 100 ms). Every
     * exactly-once commit flushes the producer (changelogs, the facts repartition topic, events) and
     * ends a transaction; at 100 ms those round trips cost more than loading the chunks. A larger
     * interval keeps every guarantee (a crash still loses nothing and duplicates nothing: uncommitted
     * work is aborted and redone) and trades latency: bulk chunks become visible downstream up to this
     * long after they are loaded, and a crash redoes up to this much work. Events do not wait for it
     * ({@link #EVENT_COMMIT_INTERVAL}). Override {@code commit.interval.ms} in the properties file.
     */
    public static final long DEFAULT_EOS_COMMIT_INTERVAL_MS = 1000;
    /**
     * Default producer {@code batch.size} (Kafka's is 16 KiB). Each BITS chunk writes about 1 KiB to the
     * bits store's changelog: 16 KiB batches mean a produce request per 16 chunks.
     */
    public static final int DEFAULT_PRODUCER_BATCH_SIZE = 256 * 1024;
    /**
     * Default {@code buffered.records.per.partition} (Kafka Streams' is 1000). A fetch of a chunks
     * partition brings about a thousand 1 KiB chunks; with a buffer of the same size Kafka Streams
     * pauses the partition, and the stream thread runs dry while the next fetch is under way. Costs
     * at most this many records of heap per input partition (about 8 MiB of chunks).
     */
    public static final int DEFAULT_BUFFERED_RECORDS = 8192;
    /** Default main-consumer {@code max.partition.fetch.bytes} (Kafka's is 1 MiB): fewer fetch round trips. */
    public static final int DEFAULT_PARTITION_FETCH_BYTES = 4 * 1024 * 1024;
    /**
     * Default main-consumer {@code fetch.max.wait.ms} (Kafka's is 500). A migration's events need two
     * hops through read_committed topics (facts repartition, control); a fetch parked on a partition
     * whose transaction just committed could wait out the whole 500 ms per hop. Measured on the
     * benchmark: the fixed cost per migration fell from about 1.1 s to 0.6 s. An idle destination
     * then polls the broker every 50 ms, a negligible load.
     */
    public static final int DEFAULT_FETCH_MAX_WAIT_MS = 50;
    /**
     * Default restore-consumer {@code fetch.max.wait.ms} (Kafka's is 500). When a task starts, Kafka
     * Streams' state updater checks its changelogs by polling them, and a fetch on an empty or
     * caught-up changelog waits the whole interval: each round of task starts took half a second even
     * with nothing to restore. Measured on the benchmark: the time from the first records polled to the
     * first event fell from about 0.8 s to 0.45 s. A restore with data is not slowed (fetches return as
     * soon as there are records).
     */
    public static final int DEFAULT_RESTORE_FETCH_MAX_WAIT_MS = 50;

    public DestinationConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(processingGuarantee, "processingGuarantee");
        extra = Map.copyOf(extra);
    }

    /** Defaults: application id {@value #DEFAULT_APPLICATION_ID}, prefix {@code dbm.}, exactly-once. */
    public static DestinationConfig defaults(String bootstrapServers, Path stateDir) {
        return new DestinationConfig(bootstrapServers, DEFAULT_APPLICATION_ID, stateDir, Topics.DEFAULT_PREFIX,
                StreamsConfig.EXACTLY_ONCE_V2, Map.of());
    }

    /** Reads a properties file into a map, for {@link #extra}. */
    public static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read properties file " + file, e);
        }
        Map<String, String> out = new HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    public DestinationConfig withApplicationId(String id) {
        return new DestinationConfig(bootstrapServers, id, stateDir, topicPrefix, processingGuarantee, extra);
    }

    public DestinationConfig withTopicPrefix(String prefix) {
        return new DestinationConfig(bootstrapServers, applicationId, stateDir, prefix, processingGuarantee, extra);
    }

    public DestinationConfig withProcessingGuarantee(String guarantee) {
        return new DestinationConfig(bootstrapServers, applicationId, stateDir, topicPrefix, guarantee, extra);
    }

    public DestinationConfig withExtra(Map<String, String> more) {
        Map<String, String> merged = new HashMap<>(extra);
        merged.putAll(more);
        return new DestinationConfig(bootstrapServers, applicationId, stateDir, topicPrefix, processingGuarantee,
                merged);
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** The control topic: as many partitions as the chunks topic. */
    public String controlTopic() {
        return topicPrefix + CONTROL_TOPIC;
    }

    /**
     * Config the serdes see: the extra properties plus the topic prefix. Kafka config-provider variables
     * ({@code ${env:NAME}} with {@code config.providers=env}) are resolved here as Kafka's own clients
     * resolve them, so a registry password can come from a Secret like the SASL password does.
     */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> m = new HashMap<>(new AbstractConfig(new ConfigDef(), extra, false).originals());
        m.put(Topics.PREFIX_CONFIG, topicPrefix);
        return m;
    }

    /** The dead-letter topic: {@code errors.dead.letter.queue.topic.name} from the extra properties, else dlq. */
    public String deadLetterTopic() {
        return extra.getOrDefault(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics().dlq());
    }

    /**
     * How long a migration with bitmaps still loading on a partition may go without any of its chunks
     * arriving there (nor any of its bitmaps completing elsewhere) before the destination cancels it ("its
     * source went silent"); 0 turns the check off. It must exceed the longest a source takes to send one
     * bitmap's bits: a source sends bitmap after bitmap, so the others' partitions wait that long.
     */
    public static final String IDLE_TIMEOUT = "dbm.migration.idle.timeout.ms";
    /** Default of {@link #IDLE_TIMEOUT}: 30 minutes. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 1_800_000;

    /**
     * Whether the destination reads the migrations topic ahead of its topology ({@link
     * org.dbmstream.topology.spec.SpecWatcher}), so that a new migration's chunks need not wait for its
     * spec's control record (property name; {@code true} by default). Chunks load in their partition's order
     * (DESIGN.md section 12): a chunk waiting for its spec holds up every chunk behind it, so without read-ahead
     * every new migration would stall its partitions for a spec broadcast (in bench sync, seconds per round
     * under load). It also helps a destination catching up on a filled chunks topic (in bench topology the
     * first event came 130 ms after the first chunk instead of 440 ms). Its cost: a running destination fed
     * live loaded dense migrations slower with it in bench steady (their chunks processed as they trickled in,
     * between the events' commits, instead of in one burst once the spec arrived); {@code false} turns it off.
     */
    public static final String SPEC_READ_AHEAD = "dbm.spec.read.ahead";

    /** {@link #SPEC_READ_AHEAD} from the extra properties, else true. */
    public boolean specReadAhead() {
        String v = extra.get(SPEC_READ_AHEAD);
        if (v == null) {
            return true;
        }
        String t = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
            throw new IllegalArgumentException(SPEC_READ_AHEAD + " must be true or false: " + v);
        }
        return t.equals("true");
    }

    /** {@link #IDLE_TIMEOUT} from the extra properties, else its default. */
    public long idleTimeoutMs() {
        String v = extra.get(IDLE_TIMEOUT);
        long ms = v == null ? DEFAULT_IDLE_TIMEOUT_MS : Long.parseLong(v.trim());
        if (ms < 0) {
            throw new IllegalArgumentException(IDLE_TIMEOUT + " must be 0 (off) or more: " + v);
        }
        return ms;
    }

    /**
     * How often a loading task reports completed bitmaps that destination writes changed: one BitmapUpdated
     * per changed bitmap per interval, its count and sha256 computed then (a pass over the whole bitmap),
     * however many writes came (property name; {@value #DEFAULT_UPDATE_INTERVAL_MS} ms by default). A write
     * barrier ({@code migrate --writes}) reports at once.
     */
    public static final String UPDATE_INTERVAL = "dbm.update.interval.ms";
    /** Default of {@link #UPDATE_INTERVAL}: a second, so a busy VM costs one digest per bitmap per second. */
    public static final long DEFAULT_UPDATE_INTERVAL_MS = 1000;

    /** {@link #UPDATE_INTERVAL} from the extra properties, else its default. */
    public long updateIntervalMs() {
        return intervalMs(UPDATE_INTERVAL, DEFAULT_UPDATE_INTERVAL_MS);
    }

    /** {@link StoreNames#WRITE_BUFFER_BYTES} from the extra properties, else its default. */
    public long writeBufferBytes() {
        String v = extra.get(StoreNames.WRITE_BUFFER_BYTES);
        long bytes = v == null ? StoreNames.DEFAULT_WRITE_BUFFER_BYTES : Long.parseLong(v.trim());
        if (bytes < 0) {
            throw new IllegalArgumentException(StoreNames.WRITE_BUFFER_BYTES + " must be 0 (write through) or more: "
                    + v);
        }
        return bytes;
    }

    /** {@link #EVENT_COMMIT_INTERVAL} from the extra properties, else its default. */
    public long eventCommitIntervalMs() {
        return intervalMs(EVENT_COMMIT_INTERVAL, DEFAULT_EVENT_COMMIT_INTERVAL_MS);
    }

    /** An interval property in milliseconds, at least 1, else its default. */
    private long intervalMs(String key, long defaultMs) {
        String v = extra.get(key);
        long ms = v == null ? defaultMs : Long.parseLong(v.trim());
        if (ms < 1) {
            throw new IllegalArgumentException(key + " must be at least 1 ms: " + v);
        }
        return ms;
    }

    /**
     * Kafka Streams properties: defaults, then the extra ones, then ours. Undecodable records are
     * logged ({@link DeadLetterHandler}: one WARN naming record, migration and cause), sent to the
     * dead-letter topic with the error in headers (KIP-1034) and skipped; new input is read from the
     * beginning so that no chunk published before the first start is missed. Under exactly-once the
     * commit interval defaults to {@value #DEFAULT_EOS_COMMIT_INTERVAL_MS} ms (see
     * {@link #DEFAULT_EOS_COMMIT_INTERVAL_MS}) and state stores are transactional with read-committed
     * interactive queries ({@code enable.transactional.statestores=true},
     * {@code default.interactive.query.isolation.level=READ_COMMITTED}); producer batches default to
     * {@value #DEFAULT_PRODUCER_BATCH_SIZE} bytes, input buffers to {@value #DEFAULT_BUFFERED_RECORDS} records
     * per partition fed by fetches of up to {@value #DEFAULT_PARTITION_FETCH_BYTES} bytes that wait at most
     * {@value #DEFAULT_FETCH_MAX_WAIT_MS} ms (restore fetches {@value #DEFAULT_RESTORE_FETCH_MAX_WAIT_MS} ms);
     * tasks do not idle for empty input partitions ({@code max.task.idle.ms=-1}); Kafka Streams' own topics get
     * {@value #TOPIC_REPLICATION} as their {@code replication.factor} when it is set; the main consumer has a
     * static {@code group.instance.id} derived from host, application id and state directory
     * ({@link StaticMembership}), so a restart takes its tasks back at once. The properties file overrides
     * each of these.
     */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (StreamsConfig.EXACTLY_ONCE_V2.equals(processingGuarantee)) {
            p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(DEFAULT_EOS_COMMIT_INTERVAL_MS));
            // Queries see committed state only (issue 9): stores buffer a task's writes until its
            // transaction commits, and interactive queries skip that buffer.
            p.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true");
            p.put(StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG, "READ_COMMITTED");
        }
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG),
                String.valueOf(DEFAULT_PRODUCER_BATCH_SIZE));
        p.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, String.valueOf(DEFAULT_BUFFERED_RECORDS));
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                String.valueOf(DEFAULT_PARTITION_FETCH_BYTES));
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
                String.valueOf(DEFAULT_FETCH_MAX_WAIT_MS));
        p.put(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
                String.valueOf(DEFAULT_RESTORE_FETCH_MAX_WAIT_MS));
        // A loading task reads a chunks partition and a control partition. Waiting for an empty control
        // partition to be fetched buys nothing (chunks that overtake their spec are parked and replayed,
        // decisions are asynchronous by design), and Kafka Streams builds log text for every record
        // while it checks; -1 processes what is buffered.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, String.valueOf(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        // Kafka 5's default, taken now: without it every start warns about it (the topology has no global
        // stores, so nothing else changes)
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        // Kafka Streams' changelog and repartition topics are replicated like the topics the destination creates:
        // a cluster that runs the application's topics at replication factor 3 must not lose its state with a broker
        if (extra.containsKey(TOPIC_REPLICATION)) {
            p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, extra.get(TOPIC_REPLICATION).trim());
        }
        p.putAll(extra);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                extra.getOrDefault(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        DeadLetterHandler.class.getName()));
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLetterTopic());
        p.put(Topics.PREFIX_CONFIG, topicPrefix);
        StaticMembership.apply(p, this);
        return p;
    }
}
