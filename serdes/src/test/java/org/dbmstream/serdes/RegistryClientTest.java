package org.dbmstream.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;

class RegistryClientTest {

    @Test
    void unreachableRegistryFailsAfterTheConfiguredAttemptsNamingTheUrl() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        var serde = DbmSerdes.chunkKey(Map.of(SerdeConfig.FORMAT, "registry", RegistryConfig.URL, url,
                RegistryConfig.MAX_RETRIES, "2", RegistryConfig.RETRIES_WAIT_MS, "10"));
        try (CapturedLogs logs = CapturedLogs.of(SchemaRegistryClient.class)) {
            assertThatThrownBy(() -> serde.serialize("dbm.chunks", new ChunkKey("m", "n", "b")))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("cannot register schema org.dbmstream.schemas.ChunkKey under subject "
                            + "'dbm.chunks-key'")
                    .hasMessageContaining(url).hasMessageContaining("unreachable after 3 attempts")
                    .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(-1));
            // each retry is a warning naming the request and its cause
            assertThat(logs.warnings()).hasSize(3).allMatch(m -> m.startsWith("schema registry POST " + url
                    + "/subjects/dbm.chunks-key/versions failed (attempt "));
        }
    }

    @Test
    void registryFormatNeedsATopicForTheSubject() {
        var serde = DbmSerdes.chunkKey(Map.of(SerdeConfig.FORMAT, "registry", RegistryConfig.URL, "http://127.0.0.1:1"));
        assertThatThrownBy(() -> serde.serialize(null, new ChunkKey("m", "n", "b")))
                .hasMessageContaining("needs a topic to name the subject of ChunkKey");
    }
}
