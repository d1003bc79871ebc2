package org.dbmstream.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.models.V1Service;
import org.junit.jupiter.api.Test;

/** The strict parse the chart tests rely on really is strict. */
class RenderedChartTest {
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: api
            spec:
              %s
            """;

    @Test
    void parsesAValidManifest() {
        assertThat(RenderedChart.parse(SERVICE.formatted("clusterIP: None")).one(V1Service.class)
                .getSpec().getClusterIP()).isEqualTo("None");
    }

    @Test
    void rejectsAnUnknownField() {
        assertThatThrownBy(() -> RenderedChart.parse(SERVICE.formatted("clusterIp: None")))
                .hasMessageContaining("clusterIp");
    }

    @Test
    void rejectsAWrongType() {
        assertThatThrownBy(() -> RenderedChart.parse(SERVICE.formatted("ports: 8080")))
                .hasMessageContaining("rendered v1/Service 'api' is not a valid V1Service");
    }

    @Test
    void rejectsAnUnexpectedKind() {
        assertThatThrownBy(() -> RenderedChart.parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n"))
                .hasMessageContaining("unexpected kind v1/Pod");
    }
}
