package org.dbmstream.broker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.broker.SecureListeners;

/**
 * An in-process broker with SASL_SSL (SCRAM-SHA-512) and mTLS listeners and ACLs, for integration
 * tests: keystores made with keytool, one SCRAM user and one client certificate per principal, the
 * README's ACLs for the source and destination principals, and client properties files as a user
 * would write them for {@code --config}.
 */
public final class SecureCluster implements AutoCloseable {
    private final Path dir;
    private final TestCertificates certs;
    private final EmbeddedKafkaBroker broker;

    private SecureCluster(Path dir, TestCertificates certs, EmbeddedKafkaBroker broker) {
        this.dir = dir;
        this.certs = certs;
        this.broker = broker;
    }

    /** Starts the broker and makes a SCRAM user and a certificate for each of {@code principals}. */
    public static SecureCluster start(Path dir, String... principals) {
        try {
            TestCertificates certs = TestCertificates.create(Files.createDirectories(dir.resolve("certs")),
                    principals);
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(null, Map.of(),
                    new SecureListeners(certs.keystorePath("broker"), certs.brokerTruststore(), certs.password()))
                    .start();
            SecureCluster cluster = new SecureCluster(dir, certs, broker);
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            for (String user : principals) {
                users.add(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password(user)));
            }
            try (Admin admin = cluster.admin()) {
                admin.alterUserScramCredentials(new ArrayList<>(users)).all().get();
            }
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("cannot create the SCRAM users", e);
        }
    }

    /** The broker; its PLAINTEXT address is the administrator's (a super user). */
    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    public String saslSsl() {
        return broker.bootstrapServers(SecureListeners.SASL_SSL);
    }

    public String mtls() {
        return broker.bootstrapServers(SecureListeners.SSL);
    }

    /** An administrator's client on the PLAINTEXT listener. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    /** The README's ACLs of a source principal ({@code dbm migrate}, the connector) for topic prefix {@code prefix}. */
    public void allowSource(String user, String prefix) {
        List<AclBinding> acls = new ArrayList<>();
        // READ: migrate looks up its migration id on the migrations topic before it publishes
        allow(acls, user, ResourceType.TOPIC, prefix + "migrations", PatternType.LITERAL, AclOperation.WRITE,
                AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, prefix + "chunks", PatternType.LITERAL, AclOperation.WRITE,
                AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, prefix + "events", PatternType.LITERAL, AclOperation.READ,
                AclOperation.DESCRIBE);
        create(acls);
    }

    /** The README's ACLs of a destination principal. */
    public void allowDestination(String user, String prefix, String applicationId) {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, user, ResourceType.TOPIC, prefix, PatternType.PREFIXED, AclOperation.CREATE, AclOperation.DESCRIBE,
                AclOperation.READ, AclOperation.WRITE);
        allow(acls, user, ResourceType.TOPIC, applicationId + "-", PatternType.PREFIXED, AclOperation.ALL);
        allow(acls, user, ResourceType.GROUP, applicationId, PatternType.PREFIXED, AclOperation.READ,
                AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TRANSACTIONAL_ID, applicationId + "-", PatternType.PREFIXED,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        create(acls);
    }

    /** Allows {@code operations} on one resource pattern to {@code user}. */
    public void allow(String user, ResourceType type, String name, PatternType pattern, AclOperation... operations) {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, user, type, name, pattern, operations);
        create(acls);
    }

    private static void allow(List<AclBinding> acls, String user, ResourceType type, String name, PatternType pattern,
                              AclOperation... operations) {
        for (AclOperation op : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
        }
    }

    private void create(List<AclBinding> acls) {
        try (Admin admin = admin()) {
            admin.createAcls(acls).all().get();
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("cannot create ACLs", e);
        }
    }

    /** Client settings for SASL_SSL with SCRAM-SHA-512 as {@code user}. */
    public List<String> scramSettings(String user) {
        List<String> lines = new ArrayList<>(List.of("security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password(user) + "\";"));
        lines.addAll(trust());
        return lines;
    }

    /** Client settings for mTLS with {@code user}'s certificate. */
    public List<String> mtlsSettings(String user) {
        List<String> lines = new ArrayList<>(List.of("security.protocol=SSL", "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + certs.keystorePath(user), "ssl.keystore.password=" + certs.password(),
                "ssl.key.password=" + certs.password()));
        lines.addAll(trust());
        return lines;
    }

    /** {@code lines} as a properties file named {@code name}, for {@code --config}. */
    public Path propertiesFile(String name, List<String> lines) {
        try {
            return Files.write(dir.resolve(name), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> trust() {
        return List.of("ssl.truststore.type=PKCS12", "ssl.truststore.location=" + certs.clientTruststore(),
                "ssl.truststore.password=" + certs.password());
    }

    private static String password(String user) {
        return user + "-secret";
    }

    @Override
    public void close() {
        broker.close();
    }
}
