package org.dbmstream.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in KRaft mode running inside this JVM: one node that is broker and
 * controller at once, listening on 127.0.0.1 on free ports. {@link #start()} formats the storage
 * (as {@code kafka-storage.sh format --standalone} does), starts {@link KafkaRaftServer} and returns
 * once an AdminClient metadata request succeeds, about two seconds. Without a data directory it
 * uses a temporary one that {@link #close()} deletes; with one, the data stays and a later start
 * on the same directory reuses it.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
 *     broker.createTopics(3, "dbm.chunks");
 *     ... broker.bootstrapServers() ...
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

    /** Broker and controller bind here only: nothing outside this machine reaches them. */
    public static final String HOST = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    private final Path requestedDir;
    private final Map<String, String> overrides;
    private final SecureListeners security;
    private final Map<String, String> listenerAddresses = new HashMap<>();
    private Path dataDir;
    private boolean ownsDataDir;
    private KafkaRaftServer server;
    private String bootstrapServers;

    /** A broker on a temporary data directory, deleted on {@link #close()}. */
    public EmbeddedKafkaBroker() {
        this(null, Map.of());
    }

    /**
     * @param dataDir   where logs and metadata live (kept on close), or {@code null} for a temporary directory
     * @param overrides broker settings that replace the defaults (e.g. {@code log.retention.hours})
     */
    public EmbeddedKafkaBroker(Path dataDir, Map<String, String> overrides) {
        this(dataDir, overrides, null);
    }

    /**
     * @param security SASL_SSL and mTLS listeners with ACLs beside the PLAINTEXT one, or {@code null}
     */
    public EmbeddedKafkaBroker(Path dataDir, Map<String, String> overrides, SecureListeners security) {
        this.requestedDir = dataDir;
        this.overrides = Map.copyOf(overrides);
        this.security = security;
    }

    /**
     * Formats the storage if needed, starts the broker and waits until it answers metadata requests.
     *
     * @return this broker, running
     * @throws IllegalStateException when already started or when the broker does not come up
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (server != null) {
            throw new IllegalStateException("Embedded Kafka broker already started at " + bootstrapServers);
        }
        long t0 = System.nanoTime();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            prepareDataDir();
            try {
                startOnce();
                LOG.info("Embedded Kafka broker ready at {} in {} ms (data in {})", bootstrapServers,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dataDir);
                return this;
            } catch (RuntimeException e) {
                last = e;
                stopServer();
                // a free port can be taken between probing and binding; only a fresh temp dir may retry
                if (!ownsDataDir) {
                    break;
                }
                deleteDataDir();
                LOG.warn("Embedded Kafka broker failed to start (attempt {}): {}", attempt, e.toString());
            }
        }
        throw new IllegalStateException("Embedded Kafka broker did not start: " + last.getMessage(), last);
    }

    private void prepareDataDir() {
        try {
            if (requestedDir != null) {
                dataDir = Files.createDirectories(requestedDir);
                ownsDataDir = false;
            } else {
                dataDir = Files.createTempDirectory("dbm-kafka-");
                ownsDataDir = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the broker's data directory", e);
        }
    }

    private void startOnce() {
        int[] ports = FreePorts.pick(HOST, security == null ? 2 : 4);
        Properties props = ServerProperties.of(HOST, ports[0], ports[1], dataDir.resolve("logs"), overrides);
        listenerAddresses.clear();
        if (security != null) {
            security.apply(props, HOST, ports[2], ports[3]);
            listenerAddresses.put(SecureListeners.SASL_SSL, HOST + ":" + ports[2]);
            listenerAddresses.put(SecureListeners.SSL, HOST + ":" + ports[3]);
        }
        Path propsFile = dataDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(propsFile)) {
            props.store(out, "dbm-stream embedded Kafka broker");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + propsFile, e);
        }
        if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
            formatStorage(propsFile); // a directory formatted before keeps its cluster id and topics
        }
        server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        bootstrapServers = HOST + ":" + ports[0];
        awaitReady();
    }

    /** The equivalent of {@code kafka-storage.sh format -t ID -c FILE --standalone}. */
    static void formatStorage(Path propsFile) {
        formatStorage(propsFile, Uuid.randomUuid().toString(), "--standalone");
    }

    /**
     * The equivalent of {@code kafka-storage.sh format -t CLUSTER_ID -c FILE QUORUM_ARGS...}, where the quorum
     * arguments are {@code --standalone}, {@code --initial-controllers LIST} or {@code --no-initial-controllers}.
     */
    static void formatStorage(Path propsFile, String clusterId, String... quorumArgs) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        String[] args = new String[5 + quorumArgs.length];
        System.arraycopy(new String[] {"format", "--cluster-id", clusterId, "--config", propsFile.toString()}, 0,
                args, 0, 5);
        System.arraycopy(quorumArgs, 0, args, 5, quorumArgs.length);
        int rc;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(args, out);
        } catch (Exception e) {
            throw new IllegalStateException("Formatting Kafka storage failed: " + e.getMessage()
                    + " " + buffer.toString(StandardCharsets.UTF_8).trim(), e);
        }
        String output = buffer.toString(StandardCharsets.UTF_8).trim();
        if (rc != 0) {
            throw new IllegalStateException("Formatting Kafka storage failed (exit " + rc + "): " + output);
        }
        LOG.debug("kafka-storage format: {}", output);
    }

    private void awaitReady() {
        Map<String, Object> conf = new HashMap<>();
        conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(conf)) {
            while (true) {
                try {
                    // brokers appear in metadata only once unfenced, i.e. ready for produce and fetch
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("Broker not ready yet: {}", e.toString());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Broker at " + bootstrapServers + " not ready after " + READY_TIMEOUT);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the broker", e);
        }
    }

    @Override
    public synchronized String bootstrapServers() {
        if (server == null) {
            throw new IllegalStateException("Embedded Kafka broker is not running");
        }
        return bootstrapServers;
    }

    /**
     * The address of the listener {@link SecureListeners#SASL_SSL} or {@link SecureListeners#SSL}
     * (the broker must have been made with {@link SecureListeners}).
     */
    public synchronized String bootstrapServers(String listener) {
        String address = listenerAddresses.get(listener);
        if (server == null || address == null) {
            throw new IllegalStateException("Embedded Kafka broker has no running listener " + listener);
        }
        return address;
    }

    /** The directory holding server.properties and the logs; {@code null} before {@link #start()}. */
    public synchronized Path dataDir() {
        return dataDir;
    }

    /** Whether {@link #start()} succeeded and {@link #close()} has not been called since. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Shuts the broker down (controlled), waits for it, and deletes the data directory if it is temporary. */
    @Override
    public synchronized void close() {
        if (dataDir == null) {
            return;
        }
        stopServer();
        if (ownsDataDir) {
            deleteDataDir();
        }
        dataDir = null;
        LOG.info("Embedded Kafka broker stopped");
    }

    private void stopServer() {
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } finally {
                server = null;
                bootstrapServers = null;
            }
        }
    }

    private void deleteDataDir() {
        try {
            Directories.deleteRecursively(dataDir);
        } catch (IOException e) {
            LOG.warn("Cannot delete the broker's data directory {}: {}", dataDir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + (bootstrapServers == null ? "stopped" : bootstrapServers) + "]";
    }
}
