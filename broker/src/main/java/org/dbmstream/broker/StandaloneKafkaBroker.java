package org.dbmstream.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real Kafka node (KRaft, broker and controller at once) in a process of its own, as DESIGN.md section 7
 * runs a standalone broker: {@code java -cp <this JVM's classpath> kafka.Kafka server.properties}. It keeps
 * its ports and data directory across {@link #restart()} and {@link #kill()}, so clients reconnect to the
 * same address. For chaos runs, where brokers go down and come back while everything else keeps running:
 * alone (the public constructor), or as one node of a {@link StandaloneKafkaCluster}.
 */
public final class StandaloneKafkaBroker implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(300);

    private final int nodeId;
    private final Path dataDir;
    private final Path propsFile;
    private final String bootstrapServers;
    private final String controllerEndpoint;
    private Process process;

    /** Formats {@code dataDir} for a single-node cluster on two free ports; {@link #start()} runs it. */
    public StandaloneKafkaBroker(Path dataDir, Map<String, String> overrides) {
        this(ServerProperties.NODE_ID, dataDir, FreePorts.pick(EmbeddedKafkaBroker.HOST, 2),
                ports -> ServerProperties.of(EmbeddedKafkaBroker.HOST, ports[0], ports[1], dataDir.resolve("logs"),
                        overrides));
        EmbeddedKafkaBroker.formatStorage(propsFile);
    }

    /** A node whose server.properties {@code config} makes from its two ports (broker, controller); not formatted. */
    StandaloneKafkaBroker(int nodeId, Path dataDir, int[] ports, java.util.function.Function<int[], Properties> config) {
        this.nodeId = nodeId;
        this.dataDir = dataDir;
        this.propsFile = dataDir.resolve("server.properties");
        try {
            Files.createDirectories(dataDir);
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                config.apply(ports).store(out, "dbm-stream standalone Kafka node " + nodeId);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + propsFile, e);
        }
        this.bootstrapServers = EmbeddedKafkaBroker.HOST + ":" + ports[0];
        this.controllerEndpoint = EmbeddedKafkaBroker.HOST + ":" + ports[1];
    }

    /** This node's {@code node.id}. */
    public int nodeId() {
        return nodeId;
    }

    /** The broker listener, {@code host:port}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The controller listener, {@code host:port}. */
    String controllerEndpoint() {
        return controllerEndpoint;
    }

    Path propsFile() {
        return propsFile;
    }

    Path dataDir() {
        return dataDir;
    }

    /** Starts the broker process (its output appended to broker.log) and waits until it serves metadata. */
    public synchronized StandaloneKafkaBroker start() {
        launch();
        awaitReady();
        return this;
    }

    /** Starts the process without waiting (the nodes of a cluster only get ready together, once they have a quorum). */
    synchronized void launch() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", propsFile.toString());
        try {
            process = ChildProcesses.track(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("broker.log").toFile())).start());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Kafka broker process", e);
        }
    }

    /** Stops the broker the way an operator would (SIGTERM: a controlled shutdown) and starts it again. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** SIGKILL: the node ends at once, nothing flushed, no controlled shutdown; {@link #start()} brings it back. */
    public synchronized void kill() {
        if (process != null && process.isAlive()) {
            try {
                process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the process runs. */
    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Waits until this node's broker answers metadata requests with at least one unfenced broker. */
    synchronized void awaitReady() {
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000);
        long deadline = System.nanoTime() + READY.toNanos();
        try (Admin admin = Admin.create(conf)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker process exited; see " + dataDir.resolve("broker.log"));
                }
                try {
                    if (admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                            .anyMatch(n -> n.id() == nodeId)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka broker at " + bootstrapServers + " not ready after " + READY
                            + "; see " + dataDir.resolve("broker.log"));
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    /** SIGTERM (a controlled shutdown), SIGKILL if it has not ended after 60 s. */
    synchronized void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM without waiting. */
    synchronized void terminate() {
        if (process != null) {
            process.destroy();
        }
    }

    /** Waits up to {@code timeout} for the process to end, then SIGKILLs it. */
    synchronized void awaitExit(Duration timeout) {
        if (process == null) {
            return;
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        stop();
    }
}
