package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.broker.testing.SecureCluster;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination and {@code migrate} against a broker that requires SASL_SSL (SCRAM-SHA-512) or
 * mTLS and authorizes with ACLs, configured only through properties files: principals holding exactly
 * the ACLs the README lists publish and load a migration with QEMU's sha256 and count; a principal
 * without them gets a clear authorization error at once.
 */
class SecureKafkaIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "dbm-source";
    private static final String DESTINATION = "dbm-destination";
    private static final String NOBODY = "dbm-nobody";

    @TempDir
    Path tmp;

    @Test
    void documentedAclsSufficeOverSaslSslAndMtlsAndNoAclsIsAClearError() throws Exception {
        try (SecureCluster cluster = SecureCluster.start(tmp, SOURCE, DESTINATION, NOBODY)) {
            cluster.allowSource(SOURCE, "dbm.");
            cluster.allowDestination(DESTINATION, "dbm.", DESTINATION);
            final Path image = QemuTestData.gunzip(QemuTestData.file("images/img5.qcow2.gz"), tmp);
            final Path nobody = cluster.propertiesFile("nobody.properties", cluster.scramSettings(NOBODY));

            final DestinationConfig refused = new DestinationConfig(cluster.saslSsl(), DESTINATION,
                    tmp.resolve("state-refused"), "dbm.", StreamsConfig.EXACTLY_ONCE_V2,
                    DestinationConfig.readProperties(nobody));
            assertThatThrownBy(() -> new DestinationApp(refused).start()).hasMessageContaining("Authorization failed");

            final Path destination = cluster.propertiesFile("destination.properties",
                    cluster.scramSettings(DESTINATION));
            final DestinationConfig config = new DestinationConfig(cluster.saslSsl(), DESTINATION, tmp.resolve("state"),
                    "dbm.", StreamsConfig.EXACTLY_ONCE_V2, DestinationConfig.readProperties(destination));
            try (DestinationApp app = new DestinationApp(config).start()) {
                assertThat(app.awaitRunning(java.time.Duration.ofSeconds(120))).isTrue();

                final Path mtls = cluster.propertiesFile("source-mtls.properties", cluster.mtlsSettings(SOURCE));
                final DbmRun overMtls = DbmRun.of("migrate", "--json", "--bootstrap-servers", cluster.mtls(),
                        "--config", mtls.toString(), "--target", "vm-mtls", image.toString());
                assertThat(overMtls.exit()).as(overMtls.err()).isZero();
                assertQemusValues(overMtls);

                final Path sasl = cluster.propertiesFile("source-scram.properties", cluster.scramSettings(SOURCE));
                final DbmRun overSasl = DbmRun.of("migrate", "--json", "--bootstrap-servers", cluster.saslSsl(),
                        "--config", sasl.toString(), "--target", "vm-sasl", image.toString());
                assertThat(overSasl.exit()).as(overSasl.err()).isZero();
                assertQemusValues(overSasl);

                final DbmRun denied = DbmRun.of("migrate", "--bootstrap-servers", cluster.saslSsl(), "--config",
                        nobody.toString(), "--timeout", "PT2M", image.toString());
                assertThat(denied.exit()).isEqualTo(1);
                assertThat(denied.err()).contains("Not authorized to access topics").contains("dbm.");
            }
        }
    }

    private static void assertQemusValues(final DbmRun run) throws IOException {
        final List<JsonNode> qemu = QemuTestData.expected("img5.qcow2");
        final List<JsonNode> completed = new ArrayList<>();
        for (final String line : run.out().split("\n")) {
            if (line.startsWith("{") && JSON.readTree(line).get("type").asText().equals("BitmapCompleted")) {
                completed.add(JSON.readTree(line));
            }
        }
        assertThat(completed).hasSize(qemu.size());
        for (final JsonNode q : qemu) {
            assertThat(completed).anySatisfy(e -> {
                assertThat(e.get("name").asText()).isEqualTo(q.get("name").asText());
                assertThat(e.get("sha256").asText()).isEqualTo(q.get("sha256").asText());
                assertThat(e.get("count").asLong()).isEqualTo(q.get("count").asLong());
            });
        }
    }

}
