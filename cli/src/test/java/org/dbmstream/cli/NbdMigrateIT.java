package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.testkit.QemuNbdServer;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.TlsCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dbm migrate nbd+unix://...} against a real qemu-nbd: the destination has QEMU's sha256/count. */
class NbdMigrateIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void migratesEveryBitmapOfAnExportWithQemusSha256AndCount(@TempDir final Path tmp) throws Exception {
        assumeTrue(QemuTools.available("qemu-nbd"), "qemu-nbd is not installed");
        try (QemuNbdServer server = QemuNbdServer.start(QemuTestData.image("img1", tmp), "img1", tmp, bitmaps())) {
            assertMigratesWithQemusValues(server.uri(query()));
        }
    }

    @Test
    void migratesOverMutualTlsWithAQemuCredentialsDirectory(@TempDir final Path tmp) throws Exception {
        assumeTrue(QemuTools.available("qemu-nbd"), "qemu-nbd is not installed");
        assumeTrue(TlsCredentials.available(), "openssl is not installed");
        final TlsCredentials creds = TlsCredentials.create(tmp);
        try (QemuNbdServer server = QemuNbdServer.startTls(QemuTestData.image("img1", tmp), "img1", tmp,
                creds.serverDir(), true, bitmaps())) {
            assertMigratesWithQemusValues(server.tlsUri(query()), "--tls-creds-dir", creds.clientDir().toString(),
                    "--tls-hostname", "localhost");
            // the same server through plain nbd+unix:// is pointed to nbds+unix:// and the TLS options
            final StringWriter err = new StringWriter();
            assertThat(Dbm.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "migrate",
                    "--target", "vm-nbd", server.uri(query()))).isNotZero();
            assertThat(err.toString()).contains("requires TLS").contains("nbds+unix://").contains("--tls-creds-dir")
                    // the URI named as the user wrote it
                    .startsWith("dbm migrate: " + server.uri(query()) + ": ");
        }
    }

    private static String[] bitmaps() {
        return QemuTestData.expected("img1.qcow2").stream().map(e -> e.get("name").asText()).toArray(String[]::new);
    }

    private static String query() {
        final StringBuilder query = new StringBuilder("persistent=true");
        for (final JsonNode e : QemuTestData.expected("img1.qcow2")) {
            query.append("&bitmap=").append(e.get("name").asText()).append("&granularity=")
                    .append(e.get("granularity").asLong() / 1024).append('K');
        }
        return query.toString();
    }

    /** {@code dbm migrate URI OPTIONS...} completes every bitmap of img1 with QEMU's size, sha256 and count. */
    private static void assertMigratesWithQemusValues(final String uri, final String... options) throws Exception {
        final List<JsonNode> qemu = QemuTestData.expected("img1.qcow2");
        final List<String> args = new ArrayList<>(List.of("migrate", "--json", "--target", "vm-nbd"));
        args.addAll(List.of(options));
        args.add(uri);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = Dbm.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        assertThat(exit).as(err.toString()).isZero();
        final List<JsonNode> completed = new ArrayList<>();
        for (final String line : out.toString().split("\n")) {
            if (line.startsWith("{") && JSON.readTree(line).get("type").asText().equals("BitmapCompleted")) {
                completed.add(JSON.readTree(line));
            }
        }
        assertThat(completed).hasSize(qemu.size());
        for (final JsonNode q : qemu) {
            final JsonNode e = completed.stream().filter(c -> c.get("name").asText().equals(q.get("name").asText()))
                    .findFirst().orElseThrow();
            assertThat(e.get("node").asText()).isEqualTo("img1");
            assertThat(e.get("size").asLong()).isEqualTo(q.get("size").asLong());
            assertThat(e.get("granularity").asLong()).isEqualTo(q.get("granularity").asLong());
            assertThat(e.get("sha256").asText()).as(q.get("name").asText()).isEqualTo(q.get("sha256").asText());
            assertThat(e.get("count").asLong()).as(q.get("name").asText()).isEqualTo(q.get("count").asLong());
            assertThat(e.get("persistent").asBoolean()).isTrue();
        }
    }

    @Test
    void aMissingGranularityIsNamedBeforeAnythingStarts(@TempDir final Path tmp) throws Exception {
        assumeTrue(QemuTools.available("qemu-nbd"), "qemu-nbd is not installed");
        try (QemuNbdServer server = QemuNbdServer.start(QemuTestData.image("img1", tmp), "img1", tmp, "b4k")) {
            final StringWriter err = new StringWriter();
            final int exit = Dbm.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "migrate",
                    server.uri(""));
            assertThat(exit).isNotZero();
            assertThat(err.toString()).contains("NBD does not carry a bitmap's granularity");
        }
    }
}
