package org.dbmstream.serdes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicsTest {
    @Test
    void defaultPrefix() {
        assertThat(Topics.defaults().all())
                .containsExactly("dbm.chunks", "dbm.migrations", "dbm.events", "dbm.writes", "dbm.dlq");
        assertThat(Topics.fromConfig(Map.of())).isEqualTo(Topics.defaults());
    }

    @Test
    void prefixFromConfig() {
        Topics t = Topics.fromConfig(Map.of(Topics.PREFIX_CONFIG, "prod.dc1."));
        assertThat(t.chunks()).isEqualTo("prod.dc1.chunks");
        assertThat(t.dlq()).isEqualTo("prod.dc1.dlq");
    }
}
