package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that is not there, a host that does not resolve, or a port that accepts connections but
 * never speaks Kafka: every command that talks to Kafka ends at once (or within the configured
 * {@code dbm.connect.timeout.ms}) with exit 1 and a message naming the address and the cause.
 */
class UnreachableServicesTest {
    @TempDir
    Path tmp;

    @Test
    void migrateToAClosedPortSaysConnectionRefusedNamingTheAddress() throws IOException {
        final String server = "127.0.0.1:" + closedPort();
        final DbmRun r = DbmRun.of("migrate", "--bootstrap-servers", server, image());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach a Kafka broker at " + server).contains("Connection refused");
        assertThat(r.out()).doesNotContain("Published migration");
    }

    @Test
    void migrateToAnUnresolvableHostSaysSoWithTheCause() throws IOException {
        final DbmRun r = DbmRun.of("migrate", "--bootstrap-servers", "no-such-host.invalid:9092", image());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach a Kafka broker at no-such-host.invalid:9092")
                .contains("unknown host 'no-such-host.invalid'");
    }

    @Test
    void aListenerThatNeverAnswersIsReportedAfterTheConfiguredTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final Path config = Files.writeString(tmp.resolve("client.properties"), "dbm.connect.timeout.ms=2000\n");
            final String server = "127.0.0.1:" + silent.getLocalPort();
            final DbmRun r = DbmRun.of("migrate", "--bootstrap-servers", server, "--config", config.toString(),
                    image());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("Kafka at " + server + " accepted a connection but gave no answer within 2 s")
                    .contains("security.protocol");
        }
    }

    @Test
    void destinationStartUpNamesTheUnreachableBroker() throws IOException {
        final String server = "127.0.0.1:" + closedPort();
        final DbmRun r = DbmRun.of("destination", "--bootstrap-servers", server, "--state-dir",
                tmp.resolve("s").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach a Kafka broker at " + server).contains("Connection refused");
    }

    @Test
    void aWrappedKafkaErrorIsPrintedWithItsCause() {
        final var e = new org.apache.kafka.common.KafkaException("Failed to construct kafka producer",
                new org.apache.kafka.common.config.ConfigException("No resolvable bootstrap urls given in"
                        + " bootstrap.servers"));
        assertThat(Causes.message(e)).isEqualTo("Failed to construct kafka producer: No resolvable bootstrap urls"
                + " given in bootstrap.servers");
    }

    private String image() {
        return QemuTestData.gunzip(QemuTestData.file("images/img5.qcow2.gz"), tmp).toString();
    }

    /** A port nothing listens on: bound once to get a free one, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
