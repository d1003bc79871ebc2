package org.dbmstream.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's Grafana dashboard (a ConfigMap for the sidecar of Grafana's chart) and PrometheusRule: off by default,
 * rendered and parsed when enabled, labels and thresholds taken from the values. That every metric they query is
 * exported is checked against a live destination (query's OperatorViewIT).
 */
class ChartMonitoringTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void neitherIsRenderedByDefault() {
        RenderedChart chart = ChartHelm.render(Map.of());
        assertThat(chart.custom("PrometheusRule")).isEmpty();
        assertThat(chart.all(V1ConfigMap.class)).noneMatch(c -> c.getMetadata().getName().endsWith("-dashboard"));
    }

    @Test
    void theDashboardIsAConfigMapTheGrafanaSidecarLoads() throws Exception {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("monitoring.dashboard.enabled", true);
        values.put("monitoring.dashboard.annotations.grafana_folder", "dbm-stream");
        V1ConfigMap cm = ChartHelm.render(values).all(V1ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().endsWith("-dashboard")).findFirst().orElseThrow();
        assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "dbm-stream");
        JsonNode dashboard = JSON.readTree(cm.getData().get("dbm-stream.json"));
        assertThat(dashboard.path("uid").asText()).isEqualTo("dbm-stream-destination");
        List<String> titles = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            titles.add(p.path("title").asText());
            if (!p.path("type").asText().equals("row")) {
                assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
                p.path("targets").forEach(t -> assertThat(t.path("expr").asText()).contains("$namespace"));
            }
        });
        assertThat(titles).contains("Instances not RUNNING", "Migrations failed (range)", "Dead-letter records (range)",
                "Consumer lag by topic", "Chunks loaded");
        // a custom sidecar label instead of the default
        values.put("monitoring.dashboard.labels.grafana_dashboard", "dbm");
        assertThat(ChartHelm.render(values).all(V1ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().endsWith("-dashboard")).findFirst().orElseThrow()
                .getMetadata().getLabels()).containsEntry("grafana_dashboard", "dbm");
    }

    @Test
    void theAlertsTakeTheirThresholdsFromTheValues() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("monitoring.prometheusRule.enabled", true);
        values.put("monitoring.prometheusRule.labels.release", "kube-prometheus-stack");
        values.put("monitoring.prometheusRule.notRunningFor", "10m");
        values.put("monitoring.prometheusRule.failedMigrationsWindow", "1h");
        values.put("monitoring.prometheusRule.consumerLagRecords", 5000);
        values.put("monitoring.prometheusRule.replicationLagSeconds", 600);
        JsonNode rule = ChartHelm.render(values).custom("PrometheusRule").get(0);
        assertThat(rule.path("metadata").path("labels").path("release").asText()).isEqualTo("kube-prometheus-stack");
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        rule.path("spec").path("groups").forEach(g -> g.path("rules").forEach(r -> alerts.put(r.path("alert").asText(), r)));
        assertThat(alerts).containsOnlyKeys("DbmDestinationNotRunning", "DbmDestinationAbsent", "DbmMigrationsFailing",
                "DbmDeadLetterRecords", "DbmConsumerLagGrowing", "DbmReplicationLagHigh");
        String selector = "namespace=\"" + ChartHelm.NAMESPACE + "\",service=\"" + ChartHelm.RELEASE + "-dbm-stream\"";
        alerts.values().forEach(a -> {
            assertThat(a.path("expr").asText()).as(a.path("alert").asText()).contains(selector);
            assertThat(a.path("annotations").path("summary").asText()).isNotBlank();
        });
        assertThat(alerts.get("DbmDestinationNotRunning").path("for").asText()).isEqualTo("10m");
        assertThat(alerts.get("DbmDestinationNotRunning").path("annotations").path("summary").asText())
                .contains("{{ $labels.pod }}");
        assertThat(alerts.get("DbmMigrationsFailing").path("expr").asText()).contains("[1h]");
        assertThat(alerts.get("DbmConsumerLagGrowing").path("expr").asText()).contains("> 5000");
        assertThat(alerts.get("DbmReplicationLagHigh").path("expr").asText()).contains("dbm_replication_lag_seconds_bucket")
                .endsWith("> 600");
        assertThat(alerts.get("DbmDestinationNotRunning").path("labels").path("severity").asText()).isEqualTo("critical");
    }
}
