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

    /** {@code helm template dbm helm/dbm-stream --namespace dbm --set k=v ...}. */
    static String template(Map<String, Object> values) {
        TemplateCommand command = new Helm(chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE);
        for (Map.Entry<String, Object> v : values.entrySet()) {
            command = command.set(v.getKey(), v.getValue());
        }
        return command.call();
    }

    static RenderedChart render(Map<String, Object> values) {
        return RenderedChart.parse(template(values));
    }
}
