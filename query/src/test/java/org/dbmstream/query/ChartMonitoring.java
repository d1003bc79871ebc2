package org.dbmstream.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PromQL the Helm chart ships: its Grafana dashboard's panel queries and its PrometheusRule's alerts. */
final class ChartMonitoring {
    /** The chart, from this module's directory (where Maven runs the tests). */
    static final Path CHART = Path.of("..", "helm", "dbm-stream");
    private static final Pattern EXPR = Pattern.compile("(?m)^\\s*expr:\\s*(.+)$");

    private ChartMonitoring() {
    }

    /** Every {@code expr} of the dashboard's panels (and of its template variables' queries). */
    static List<String> dashboardQueries() throws IOException {
        List<String> out = new ArrayList<>();
        JsonNode dashboard = QueryRoutes.JSON.readTree(Files.readString(CHART.resolve("dashboards/dbm-stream.json")));
        dashboard.findValues("expr").forEach(e -> out.add(e.asText()));
        dashboard.path("templating").path("list").forEach(v -> {
            if (v.path("query").isTextual() && v.path("type").asText().equals("query")) {
                out.add(v.path("query").asText().replaceAll("^label_values\\((.*),[^,]*\\)$", "$1"));
            }
        });
        return out;
    }

    /** Every alert's {@code expr} of the PrometheusRule template, its values (thresholds) read as 1. */
    static List<String> alertQueries() throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = EXPR.matcher(Files.readString(CHART.resolve("templates/prometheusrule.yaml")));
        while (m.find()) {
            out.add(m.group(1).replaceAll("\\{\\{[^}]*}}", "1"));
        }
        return out;
    }
}
