package org.dbmstream.connectors;

import org.dbmstream.testkit.QemuTestData;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.serdes.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged plugin directory (target/plugin) in a Connect worker of its own JVM, whose class path has
 * Kafka but none of dbm-stream's classes: the connector loads in plugin isolation from
 * {@code plugin.path}, is created over the REST API, and publishes img1 as QEMU has it.
 */
@ExtendWith(KafkaBrokerExtension.class)
class PluginDirectoryIT {
    /** Generous: on a loaded 2-core machine the worker's start alone took 90 s once. */
    private static final Duration TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    /** The test class path without dbm-stream's own classes and jars. */
    private static String workerClassPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> !e.isBlank())
                .filter(e -> {
                    String name = Path.of(e).getFileName().toString();
                    return !name.startsWith("dbm-") && !name.equals("classes") && !name.equals("test-classes");
                })
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void theConnectorRunsFromThePluginDirectoryInAnIsolatedWorker(KafkaBroker broker) throws Exception {
        Path plugins = Path.of("target", "plugin").toAbsolutePath();
        assertThat(plugins.resolve("dbm-connectors")).as("run after package").isDirectory();
        // the CLI's terminal libraries (progress bar, JLine) and command-line parser are no part of a connector
        try (var jars = Files.list(plugins.resolve("dbm-connectors"))) {
            assertThat(jars.map(j -> j.getFileName().toString()).toList()).isNotEmpty()
                    .noneMatch(j -> j.startsWith("jline") || j.startsWith("progressbar") || j.startsWith("picocli"));
        }
        Topics t = new Topics("itp.");
        broker.createTopics(3, t.chunks());
        broker.createTopic(t.migrations(), 1, Map.of("cleanup.policy", "compact"));
        Path images = Files.createDirectory(dir.resolve("images"));
        Path img1 = QemuTestData.image("img1", images);

        int port = freePort();
        Properties worker = new Properties();
        worker.put("bootstrap.servers", broker.bootstrapServers());
        worker.put("group.id", "itp");
        worker.put("config.storage.topic", "itp-configs");
        worker.put("offset.storage.topic", "itp-offsets");
        worker.put("status.storage.topic", "itp-status");
        worker.put("config.storage.replication.factor", "1");
        worker.put("offset.storage.replication.factor", "1");
        worker.put("status.storage.replication.factor", "1");
        worker.put("key.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
        worker.put("value.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
        worker.put("listeners", "http://127.0.0.1:" + port);
        worker.put("plugin.path", plugins.toString());
        worker.put("exactly.once.source.support", "enabled");
        Path props = dir.resolve("worker.properties");
        try (var out = Files.newOutputStream(props)) {
            worker.store(out, null);
        }
        Path log = dir.resolve("worker.log");
        // without a configuration logback logs everything at DEBUG: thousands of lines, and a slower start
        Path logback = Files.writeString(dir.resolve("logback.xml"), "<configuration><appender name=\"O\" "
                + "class=\"ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%d %-5level %logger - %msg%n"
                + "</pattern></encoder></appender><root level=\"INFO\"><appender-ref ref=\"O\"/></root>"
                + "</configuration>");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx512m", "-Dlogback.configurationFile=" + logback,
                "-cp", workerClassPath(), "org.apache.kafka.connect.cli.ConnectDistributed", props.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            awaitRest(http, base, process, log);
            Map<String, String> config = new HashMap<>();
            config.put("connector.class", Qcow2BitmapSourceConnector.class.getName());
            config.put("tasks.max", "1");
            config.put("images", images.toString());
            config.put("topic.prefix", t.prefix());
            config.put("key.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
            config.put("value.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
            String body = new ObjectMapper().writeValueAsString(Map.of("name", "qcow2-plugin", "config", config));
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/connectors"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            String id = ImageMigration.migrationId(new Qcow2BitmapSourceConnectorConfig(config), img1);
            long total;
            try (var plan = org.dbmstream.source.MigrationPlanner.plan(org.dbmstream.source.MigrationRequest.builder()
                    .migrationId(id).input(new org.dbmstream.source.MigrationInput.Qcow2Image(img1)).build())) {
                total = plan.chunks().size();
            }
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            List<ChunkLog.Read> reads = List.of();
            while (System.nanoTime() < deadline && reads.size() < total) {
                Thread.sleep(300);
                reads = ChunkLog.read(broker.bootstrapServers(), t.chunks()).getOrDefault(id, List.of());
            }
            assertThat(reads).as("worker log %s", log).hasSize((int) total);
            var rebuilt = ChunkLog.rebuild(reads);
            for (var q : QemuTestData.expected("img1.qcow2")) {
                assertThat(rebuilt.get("img1/" + q.get("name").asText()).sha256()).isEqualTo(q.get("sha256").asText());
            }
            assertThat(Files.readString(log)).contains("Loading plugin from: " + plugins.resolve("dbm-connectors"));
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static void awaitRest(HttpClient http, String base, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("worker exited: " + Files.readString(log));
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(base + "/connector-plugins")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    assertThat(r.body()).contains(Qcow2BitmapSourceConnector.class.getName());
                    return;
                }
            } catch (IOException notYet) {
                // REST server not listening yet
            }
            Thread.sleep(300);
        }
        throw new AssertionError("worker REST API not up: " + Files.readString(log));
    }
}
