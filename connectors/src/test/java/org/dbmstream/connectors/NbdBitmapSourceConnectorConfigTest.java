package org.dbmstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The NBD connector's settings: URIs checked with the client's own messages; tasks share the exports. */
class NbdBitmapSourceConnectorConfigTest {
    @Test
    void badUrisAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "nbds://h/e")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TLS");
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "nbd+unix:///e")))
                .hasMessageContaining("needs socket=PATH");
        assertThatThrownBy(() -> new NbdBitmapSourceConnectorConfig(Map.of("nbd.uris", "")))
                .hasMessageContaining("at least one NBD URI");
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
