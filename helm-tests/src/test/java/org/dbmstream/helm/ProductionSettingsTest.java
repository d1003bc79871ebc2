package org.dbmstream.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The chart's Strimzi KafkaTopics and destination settings follow the production settings table of
 * docs/DESIGN.md ("Production settings"): partitions, replicas, min.insync.replicas, cleanup policy and retention
 * of every topic, and the replication of Kafka Streams' own topics. A change to either side without the other
 * fails here.
 */
class ProductionSettingsTest {

    @Test
    void renderedKafkaTopicsFollowTheTable() throws IOException {
        List<Map<String, String>> table = ProductionTable.rows("| topic | partitions |");
        assertThat(table).hasSizeGreaterThanOrEqualTo(7);
        RenderedChart chart = ChartHelm.render(Map.of("strimzi.enabled", true, "kafka.bootstrapServers", ""));
        Map<String, JsonNode> topics = new LinkedHashMap<>();
        chart.custom("KafkaTopic").forEach(t -> topics.put(t.path("spec").path("topicName").asText(), t.path("spec")));
        List<String> documented = new ArrayList<>();
        for (Map<String, String> row : table) {
            String name = row.get("topic");
            if (name.startsWith("Kafka Streams")) {
                Properties props = new Properties();
                props.load(new StringReader(chart.one(V1ConfigMap.class).getData().get("destination.properties")));
                assertThat(props.getProperty("dbm.topic.replication.factor")).as("replication of Kafka Streams' topics")
                        .isEqualTo(row.get("replicas"));
                continue;
            }
            documented.add("dbm." + name);
            JsonNode spec = topics.get("dbm." + name);
            assertThat(spec).as("a KafkaTopic for " + name).isNotNull();
            String partitions = row.get("partitions").startsWith("as ")
                    ? ProductionTable.find(table, row.get("partitions").substring(3)).get("partitions") : row.get("partitions");
            assertThat(spec.path("partitions").asText()).as(name + " partitions").isEqualTo(partitions);
            assertThat(spec.path("replicas").asText()).as(name + " replicas").isEqualTo(row.get("replicas"));
            JsonNode config = spec.path("config");
            assertThat(config.path("min.insync.replicas").asText()).as(name + " min.insync.replicas")
                    .isEqualTo(row.get("min.insync.replicas"));
            assertThat(config.path("cleanup.policy").asText("delete")).as(name + " cleanup.policy")
                    .isEqualTo(row.get("cleanup.policy"));
            assertThat(config.has("retention.ms") ? config.path("retention.ms").asText() : "-")
                    .as(name + " retention.ms").isEqualTo(row.get("retention.ms"));
        }
        assertThat(topics.keySet()).as("every KafkaTopic is in the table").containsExactlyInAnyOrderElementsOf(documented);
    }

    /** The tables of docs/DESIGN.md's "Production settings", as rows of column name to cell (backticks dropped). */
    static final class ProductionTable {
        private ProductionTable() {
        }

        static List<Map<String, String>> rows(String header) throws IOException {
            Path design = ChartHelm.chartDir().resolve("../../docs/DESIGN.md");
            List<String> lines = Files.readAllLines(design);
            int start = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(header)) {
                    start = i;
                    break;
                }
            }
            assertThat(start).as("a table starting with '" + header + "' in " + design).isNotNegative();
            String[] columns = cells(lines.get(start));
            List<Map<String, String>> rows = new ArrayList<>();
            for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
                String[] cells = cells(lines.get(i));
                Map<String, String> row = new LinkedHashMap<>();
                for (int c = 0; c < columns.length; c++) {
                    row.put(columns[c], c < cells.length ? cells[c] : "");
                }
                rows.add(row);
            }
            return rows;
        }

        static Map<String, String> find(List<Map<String, String>> table, String topic) {
            return table.stream().filter(r -> r.get("topic").equals(topic)).findFirst()
                    .orElseThrow(() -> new AssertionError("no row for " + topic));
        }

        private static String[] cells(String line) {
            String inner = line.substring(1, line.lastIndexOf('|'));
            String[] cells = inner.split("\\|");
            for (int i = 0; i < cells.length; i++) {
                cells[i] = cells[i].replace("`", "").trim();
            }
            return cells;
        }
    }
}
