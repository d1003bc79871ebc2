package org.dbmstream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The nodes of a {@link StandaloneKafkaCluster} (what {@code dbm chaos --brokers 3} runs) have the broker settings
 * docs/DESIGN.md's "Production settings" table asks of a production cluster: the chaos runs test what is documented.
 */
class ClusterSettingsTest {

    @Test
    void clusterNodesHaveTheDocumentedProductionSettings() throws IOException {
        Map<String, String> documented = brokerTable();
        assertThat(documented).containsKeys("min.insync.replicas", "default.replication.factor",
                "unclean.leader.election.enable", "offsets.topic.replication.factor");
        Properties node = ServerProperties.clusterNode(2, "127.0.0.1", 1, 2, Path.of("logs"), "127.0.0.1:2", Map.of());
        documented.forEach((setting, value) -> assertThat(node.getProperty(setting)).as(setting).isEqualTo(value));
    }

    private static Map<String, String> brokerTable() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("dbm.design", "../docs/DESIGN.md")));
        Map<String, String> out = new LinkedHashMap<>();
        boolean in = false;
        for (String line : lines) {
            if (line.startsWith("| broker setting |")) {
                in = true;
            } else if (in && line.startsWith("|---")) {
                continue;
            } else if (in && line.startsWith("|")) {
                String[] cells = line.substring(1).split("\\|");
                out.put(cells[0].replace("`", "").trim(), cells[1].replace("`", "").trim());
            } else if (in) {
                break;
            }
        }
        return out;
    }
}
