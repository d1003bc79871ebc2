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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real Kafka broker (KRaft, one combined node) in a process of its own, as DESIGN.md section 7 runs a
 * standalone broker: {@code java -cp <this JVM's classpath> kafka.Kafka server.properties}. It keeps its
 * ports and data directory across {@link #restart()}, so clients reconnect to the same address. For chaos
 * runs, where the broker must go down and come back while everything else keeps running.
 */
public final class StandaloneKafkaBroker implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(90);

    private final Path dataDir;
    private final Path propsFile;
    private final String bootstrapServers;
    private Process process;

    /** Formats {@code dataDir} for a broker on two free ports; {@link #start()} runs it. */
    public StandaloneKafkaBroker(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        int[] ports = FreePorts.pick(EmbeddedKafkaBroker.HOST, 2);
        Properties props = ServerProperties.of(EmbeddedKafkaBroker.HOST, ports[0], ports[1], dataDir.resolve("logs"),
                overrides);
        this.propsFile = dataDir.resolve("server.properties");
        try {
            Files.createDirectories(dataDir);
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "dbm-stream standalone Kafka broker");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + propsFile, e);
        }
        EmbeddedKafkaBroker.formatStorage(propsFile);
        this.bootstrapServers = EmbeddedKafkaBroker.HOST + ":" + ports[0];
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Starts the broker process (its output appended to broker.log) and waits until it serves metadata. */
    public synchronized StandaloneKafkaBroker start() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", propsFile.toString());
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("broker.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Kafka broker process", e);
        }
        awaitReady();
        return this;
    }

    /** Stops the broker the way an operator would (SIGTERM: a controlled shutdown) and starts it again. */
    public synchronized void restart() {
        stop();
        start();
    }

    private void awaitReady() {
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
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka broker at " + bootstrapServers + " not ready after " + READY);
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    private void stop() {
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

    @Override
    public synchronized void close() {
        stop();
    }
}
