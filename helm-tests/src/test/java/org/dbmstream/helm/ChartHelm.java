package org.dbmstream.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The chart under test and real Helm (helm-java runs Helm's Go code in-process). */
final class ChartHelm {
    static final String RELEASE = "dbm";
    static final String NAMESPACE = "dbm";

    private ChartHelm() {
    }

    static Path chartDir() {
        final Path dir = Path.of(System.getProperty("dbm.chart.dir", "../helm/dbm-stream"));
        if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
            throw new IllegalStateException("no chart at " + dir.toAbsolutePath());
        }
        return dir;
    }

    /**
     * {@code helm template dbm helm/dbm-stream --namespace dbm --set k=v ...}. helm-java's template, unlike the
     * helm CLI's, is not client-only: its {@code lookup} would dial a Kubernetes API (localhost:8080 without a
     * kubeconfig), so the chart's lookup of its generated API Secret is switched off; the helm CLI's template
     * finds nothing there and renders the same.
     */
    static String template(Map<String, Object> values) {
        TemplateCommand command = new Helm(chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE)
                .set("api.auth.reuseGenerated", false);
        for (Map.Entry<String, Object> v : values.entrySet()) {
            command = command.set(v.getKey(), v.getValue());
        }
        return command.call();
    }

    static RenderedChart render(Map<String, Object> values) {
        return RenderedChart.parse(template(values));
    }
}
