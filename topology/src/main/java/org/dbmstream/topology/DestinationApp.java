package org.dbmstream.topology;


import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.ServiceCheck;
import org.dbmstream.topology.spec.SpecLookup;
import org.dbmstream.topology.spec.SpecWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination as a long-lived service: the {@link DestinationTopology} in a {@link KafkaStreams}
 * instance. {@link #start()} creates missing topics and starts; {@link #close()} stops cleanly (state
 * flushed, transactions committed), so it is what a SIGTERM hook calls.
 */
public final class DestinationApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DestinationApp.class);
    /** How long {@link #close()} waits for Kafka Streams to stop (a pod's grace period must be longer). */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final DestinationConfig config;
    private final Topology topology;
    private final Properties properties;
    private KafkaStreams streams;
    private volatile int chunkPartitions;
    private boolean closed;
    private final RestoreTracker restores = new RestoreTracker();
    private final SpecWatcher specWatcher;

    public DestinationApp(DestinationConfig config) {
        this(config, EventObserver.NONE);
    }

    /** @param observer told of every event this instance emits (metrics) */
    public DestinationApp(DestinationConfig config, EventObserver observer) {
        this.config = Objects.requireNonNull(config, "config");
        this.properties = config.streamsProperties();
        this.specWatcher = config.specReadAhead() ? new SpecWatcher(properties, config.topics().migrations(),
                DbmSerdes.migrationSpec(config.serdeConfig()).deserializer()) : null;
        this.topology = DestinationTopology.build(config, specWatcher != null ? specWatcher : SpecLookup.NONE,
                observer);
    }

    public DestinationConfig config() {
        return config;
    }

    public Topology topology() {
        return topology;
    }

    /** The Kafka Streams properties the application runs with (a copy). */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /** Creates missing topics, then starts processing. */
    public synchronized DestinationApp start() {
        if (closed) {
            throw new IllegalStateException("destination application was closed");
        }
        if (streams != null) {
            return this;
        }
        // client settings (security, timeouts) come from the extra properties; Streams-only keys stay out
        Properties adminProps = new Properties();
        adminProps.putAll(config.extra());
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        // an unreachable broker or registry is a clear error naming it, not a minute of silent retries
        ServiceCheck.check(config.bootstrapServers(), config.extra());
        try (Admin admin = Admin.create(adminProps)) {
            chunkPartitions = TopicSetup.ensure(admin, config);
        }
        streams = new KafkaStreams(topology, properties);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Destination stream thread failed; shutting the application down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> LOG.info("Destination {} -> {}", before, now));
        streams.setGlobalStateRestoreListener(restores);
        LOG.info("Starting destination '{}' on {} (topics {}*, state in {}, {})", config.applicationId(),
                config.bootstrapServers(), config.topicPrefix(), config.stateDir(), config.processingGuarantee());
        if (specWatcher != null) {
            specWatcher.start();
        }
        streams.start();
        return this;
    }

    /** Partitions of the chunks topic as found at start (each a loading task); 0 before start. */
    public int chunkPartitions() {
        return chunkPartitions;
    }

    /** The running Kafka Streams instance (for state and interactive queries); null before start. */
    public synchronized KafkaStreams streams() {
        return streams;
    }

    /** True when RUNNING and no store of this instance is being restored from its changelog. */
    public boolean ready() {
        KafkaStreams s = streams();
        return s != null && s.state() == KafkaStreams.State.RUNNING && restores.idle();
    }

    /** Waits until the application is RUNNING; false on timeout or if it stopped. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams s = streams();
            if (s != null) {
                KafkaStreams.State state = s.state();
                if (state == KafkaStreams.State.RUNNING) {
                    return true;
                }
                if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
                    return false;
                }
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Stops processing and releases the state stores; safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (streams != null) {
            LOG.info("Stopping destination '{}'", config.applicationId());
            if (!streams.close(CLOSE_TIMEOUT)) {
                LOG.warn("Destination did not stop within {}", CLOSE_TIMEOUT);
            }
        }
        if (specWatcher != null) {
            specWatcher.close();
        }
    }
}
