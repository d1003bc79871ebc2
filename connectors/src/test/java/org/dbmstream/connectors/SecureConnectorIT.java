package org.dbmstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.broker.testing.SecureCluster;
import org.dbmstream.serdes.Topics;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector in a Connect worker that reaches the broker only over SASL_SSL (SCRAM-SHA-512) as a
 * principal holding the README's source ACLs plus Kafka Connect's own: the image's chunks arrive and
 * rebuild to QEMU's sha256 and count.
 */
class SecureConnectorIT {
    private static final String WORKER = "dbm-connect";
    private static final String GROUP = "itc-secure";

    @TempDir
    Path dir;

    @Test
    void publishesOverSaslSslWithTheDocumentedSourceAcls() throws Exception {
        try (SecureCluster cluster = SecureCluster.start(dir, WORKER)) {
            final Topics t = new Topics("dbm.");
            cluster.broker().createTopics(1, t.chunks());
            cluster.broker().createTopic(t.migrations(), 1, Map.of("cleanup.policy", "compact"));
            cluster.allowSource(WORKER, t.prefix());
            // Kafka Connect's own: its internal topics, its group, its transactional ids (exactly-once)
            cluster.allow(WORKER, ResourceType.TOPIC, GROUP + "-", PatternType.PREFIXED, AclOperation.ALL);
            cluster.allow(WORKER, ResourceType.GROUP, GROUP, PatternType.PREFIXED, AclOperation.ALL);
            cluster.allow(WORKER, ResourceType.TRANSACTIONAL_ID, GROUP + "-", PatternType.PREFIXED, AclOperation.ALL);
            cluster.allow(WORKER, ResourceType.TRANSACTIONAL_ID, "connect-cluster-" + GROUP, PatternType.LITERAL,
                    AclOperation.ALL);
            final Map<String, String> security = new HashMap<>();
            for (final String line : cluster.scramSettings(WORKER)) {
                final String[] kv = line.split("=", 2);
                for (final String prefix : List.of("", "producer.", "consumer.", "admin.")) {
                    security.put(prefix + kv[0], kv[1]);
                }
            }
            final Path images = Files.createDirectory(dir.resolve("images"));
            final Path img5 = QemuTestData.image("img5", images);
            final Map<String, String> config = new HashMap<>(Map.of(
                    "connector.class", Qcow2BitmapSourceConnector.class.getName(), "tasks.max", "1",
                    "images", images.toString(), "topic.prefix", t.prefix(),
                    "key.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER,
                    "value.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER,
                    "exactly.once.support", "required"));
            final String id = ImageMigration.migrationId(new Qcow2BitmapSourceConnectorConfig(config), img5);
            try (ConnectWorker worker = ConnectWorker.start(cluster.saslSsl(), GROUP, security)) {
                worker.putConnector("qcow2-secure", config);
                worker.awaitRunning("qcow2-secure", 1, Duration.ofSeconds(120));
                final List<JsonNode> expected = QemuTestData.expected("img5.qcow2");
                Map<String, DirtyBitmap> rebuilt = Map.of();
                final long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (rebuilt.size() < expected.size() && System.nanoTime() < deadline) {
                    final var log = ChunkLog.read(cluster.broker().bootstrapServers(), t.chunks());
                    rebuilt = log.containsKey(id) ? ChunkLog.rebuild(log.get(id)) : Map.of();
                    Thread.sleep(250);
                }
                assertThat(rebuilt).hasSize(expected.size());
                for (final JsonNode e : expected) {
                    final DirtyBitmap b = rebuilt.get("img5/" + e.get("name").asText());
                    assertThat(b.sha256()).isEqualTo(e.get("sha256").asText());
                    assertThat(b.count()).isEqualTo(e.get("count").asLong());
                }
            }
        }
    }
}
