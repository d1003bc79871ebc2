package org.dbmstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.dbmstream.nbd.NbdTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NBD connector's settings: URIs checked with the client's own messages; tasks share the exports. */
class NbdBitmapSourceConnectorConfigTest {
    @Test
    void badUrisAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "nbd://h/e?tls-hostname=h")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("belongs to TLS URIs");
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "nbd+unix:///e")))
                .hasMessageContaining("needs socket=PATH");
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "")))
                .hasMessageContaining("at least one NBD URI");
    }

    @Test
    void tlsSettingsAreCheckedAndMerged(@TempDir final Path dir) throws Exception {
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "nbds://h/e",
                "nbd.tls.ca", dir.resolve("missing.pem").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing.pem").hasMessageContaining("no such file");
        Files.writeString(dir.resolve("ca-cert.pem"), "x");
        Files.writeString(dir.resolve("client-cert.pem"), "x");
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "nbds://h/e",
                "nbd.tls.creds.dir", dir.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("has client-cert.pem but no client-key.pem");
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "nbds://h/e",
                "nbd.tls.cert", dir.resolve("client-cert.pem").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("go together");
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "nbd://h/e",
                "nbd.tls.ca", dir.resolve("ca-cert.pem").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("would connect without TLS");
        Files.writeString(dir.resolve("client-key.pem"), "x");
        final NbdBitmapSourceConnectorConfig c = new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris",
                "nbds://h/e", "nbd.tls.creds.dir", dir.toString(), "nbd.tls.hostname", "vm1"));
        assertThat(c.tls()).isEqualTo(new NbdTls(dir.resolve("ca-cert.pem"), dir.resolve("client-cert.pem"),
                dir.resolve("client-key.pem"), "vm1"));
        assertThat(new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "nbd://h/e")).tls()).isEqualTo(NbdTls.DEFAULTS);
    }

    @Test
    void exportsAreSpreadOverTasks() {
        final NbdBitmapSourceConnector c = new NbdBitmapSourceConnector();
        c.start(Map.of("nbd.uris", "nbd://a/x?bitmap=b,nbd://b/y?bitmap=b,nbd://c/z?bitmap=b"));
        final var tasks = c.taskConfigs(2);
        assertThat(tasks).hasSize(2);
        assertThat(tasks.get(0).get(NbdBitmapSourceConnectorConfig.TASK_URIS)).isEqualTo("nbd://a/x?bitmap=b,nbd://c/z?bitmap=b");
        assertThat(new NbdBitmapSourceConnectorConfig(tasks.get(1)).taskUris()).containsExactly("nbd://b/y?bitmap=b");
    }
}
