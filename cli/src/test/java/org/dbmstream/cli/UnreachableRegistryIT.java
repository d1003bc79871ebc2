package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schema registry that is not there: {@code migrate} (on its in-process broker, whose destination
 * checks the registry at start-up) ends with exit 1 and a message naming the registry's address.
 */
class UnreachableRegistryIT {
    @TempDir
    Path tmp;

    @Test
    void migrateWithAnUnreachableRegistryNamesIt() throws IOException {
        final int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = s.getLocalPort();
        }
        final String url = "http://127.0.0.1:" + port;
        final Path config = Files.writeString(tmp.resolve("registry.properties"),
                "dbm.serde.format=registry\nschema.registry.url=" + url + "\n");
        final Path image = QemuTestData.gunzip(QemuTestData.file("images/img5.qcow2.gz"), tmp);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit;
        try (CapturedLogs logs = CapturedLogs.of(org.dbmstream.serdes.SchemaRegistryClient.class)) {
            exit = Dbm.run(new PrintWriter(out, true), new PrintWriter(err, true), "migrate", "--config",
                    config.toString(), image.toString());
            assertThat(logs.warnings()).allMatch(m -> m.contains(url));
        }
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach the schema registry at [" + url + "]")
                .contains("ConnectException");
        assertThat(out.toString()).doesNotContain("Published migration");
    }
}
