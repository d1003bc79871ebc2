package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.broker.SecureListeners;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.TestCertificates;
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
        final TestCertificates certs = TestCertificates.create(Files.createDirectory(tmp.resolve("certs")), SOURCE,
                DESTINATION, NOBODY);
        final SecureListeners security = new SecureListeners(certs.keystorePath("broker"), certs.brokerTruststore(),
                certs.password());
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(null, Map.of(), security).start()) {
            administer(broker.bootstrapServers());
            final String sasl = broker.bootstrapServers(SecureListeners.SASL_SSL);
            final String mtls = broker.bootstrapServers(SecureListeners.SSL);
            final Path image = QemuTestData.gunzip(QemuTestData.file("images/img5.qcow2.gz"), tmp);

            final Path nobody = scram(certs, NOBODY);
            final DestinationConfig refused = new DestinationConfig(sasl, DESTINATION, tmp.resolve("state-refused"),
                    "dbm.", StreamsConfig.EXACTLY_ONCE_V2, DestinationConfig.readProperties(nobody));
            assertThatThrownBy(() -> new DestinationApp(refused).start()).hasMessageContaining("Authorization failed");

            final DestinationConfig config = new DestinationConfig(sasl, DESTINATION, tmp.resolve("state"), "dbm.",
                    StreamsConfig.EXACTLY_ONCE_V2, DestinationConfig.readProperties(scram(certs, DESTINATION)));
            try (DestinationApp app = new DestinationApp(config).start()) {
                assertThat(app.awaitRunning(java.time.Duration.ofSeconds(120))).isTrue();

                final Run overMtls = dbm("migrate", "--json", "--bootstrap-servers", mtls, "--config",
                        mtls(certs, SOURCE).toString(), "--target", "vm-mtls", image.toString());
                assertThat(overMtls.exit).as(overMtls.err).isZero();
                assertQemusValues(overMtls);

                final Run overSasl = dbm("migrate", "--json", "--bootstrap-servers", sasl, "--config",
                        scram(certs, SOURCE).toString(), "--target", "vm-sasl", image.toString());
                assertThat(overSasl.exit).as(overSasl.err).isZero();
                assertQemusValues(overSasl);

                final Run denied = dbm("migrate", "--bootstrap-servers", sasl, "--config", nobody.toString(),
                        "--timeout", "PT2M", image.toString());
                assertThat(denied.exit).isEqualTo(1);
                assertThat(denied.err).contains("Not authorized to access topics").contains("dbm.");
            }
        }
    }

    /** As the administrator (PLAINTEXT, a super user): SCRAM credentials and the README's ACLs. */
    private static void administer(final String plaintext) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plaintext))) {
            final List<UserScramCredentialUpsertion> users = new ArrayList<>();
            for (final String user : List.of(SOURCE, DESTINATION, NOBODY)) {
                users.add(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password(user)));
            }
            admin.alterUserScramCredentials(new ArrayList<>(users)).all().get();
            final List<AclBinding> acls = new ArrayList<>();
            // the source principal (dbm migrate, the connector)
            allow(acls, SOURCE, ResourceType.TOPIC, "dbm.migrations", PatternType.LITERAL, AclOperation.WRITE,
                    AclOperation.DESCRIBE);
            allow(acls, SOURCE, ResourceType.TOPIC, "dbm.chunks", PatternType.LITERAL, AclOperation.WRITE,
                    AclOperation.DESCRIBE);
            allow(acls, SOURCE, ResourceType.TOPIC, "dbm.events", PatternType.LITERAL, AclOperation.READ,
                    AclOperation.DESCRIBE);
            // the destination principal (application id dbm-destination, topic prefix dbm.)
            allow(acls, DESTINATION, ResourceType.TOPIC, "dbm.", PatternType.PREFIXED, AclOperation.CREATE,
                    AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE);
            allow(acls, DESTINATION, ResourceType.TOPIC, "dbm-destination-", PatternType.PREFIXED, AclOperation.ALL);
            allow(acls, DESTINATION, ResourceType.GROUP, "dbm-destination", PatternType.PREFIXED, AclOperation.READ,
                    AclOperation.DESCRIBE);
            allow(acls, DESTINATION, ResourceType.TRANSACTIONAL_ID, "dbm-destination-", PatternType.PREFIXED,
                    AclOperation.WRITE, AclOperation.DESCRIBE);
            admin.createAcls(acls).all().get();
        }
    }

    private static void allow(final List<AclBinding> acls, final String user, final ResourceType type,
                              final String name, final PatternType pattern, final AclOperation... operations) {
        for (final AclOperation op : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
        }
    }

    private static String password(final String user) {
        return user + "-secret";
    }

    /** A client properties file for SASL_SSL with SCRAM-SHA-512 as {@code user}. */
    private Path scram(final TestCertificates certs, final String user) throws IOException {
        return Files.writeString(tmp.resolve(user + "-scram.properties"), String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password(user) + "\";",
                trust(certs), ""));
    }

    /** A client properties file for mTLS with {@code user}'s certificate. */
    private Path mtls(final TestCertificates certs, final String user) throws IOException {
        return Files.writeString(tmp.resolve(user + "-mtls.properties"), String.join("\n",
                "security.protocol=SSL",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + certs.keystorePath(user),
                "ssl.keystore.password=" + certs.password(),
                "ssl.key.password=" + certs.password(),
                trust(certs), ""));
    }

    private static String trust(final TestCertificates certs) {
        return String.join("\n", "ssl.truststore.type=PKCS12",
                "ssl.truststore.location=" + certs.clientTruststore(),
                "ssl.truststore.password=" + certs.password());
    }

    private static void assertQemusValues(final Run run) throws IOException {
        final List<JsonNode> qemu = QemuTestData.expected("img5.qcow2");
        final List<JsonNode> completed = new ArrayList<>();
        for (final String line : run.out.split("\n")) {
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

    private static Run dbm(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = Dbm.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private record Run(int exit, String out, String err) {
    }
}
