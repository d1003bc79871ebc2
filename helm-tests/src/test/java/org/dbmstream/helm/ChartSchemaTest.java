package org.dbmstream.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Wrong values fail at install time, with a message naming the value (values.schema.json and the templates). */
class ChartSchemaTest {
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "replicaCount | 0 | replicaCount",
        "terminationGracePeriodSeconds | 30 | terminationGracePeriodSeconds",
        "destination.processingGuarantee | exactly_once | processingGuarantee",
        "destination.numStandbyReplicas | -1 | numStandbyReplicas",
        "destination.logLevel | LOUD | logLevel",
        "destination.httpPort | 70000 | httpPort",
        "jvm.maxHeap | 1GB | maxHeap",
        "kafka.sasl.mechanism | GSSAPI | mechanism",
        "kafka.topicPrefix | dbm/ | topicPrefix",
        "kafka.bootstrapServers | kafka | bootstrapServers",
        "strimzi.user.authentication | oauth | authentication",
        "replicaCont | 3 | replicaCont",
        "api.limits.maxStreams | 0 | maxStreams",
        "api.limits.idleTimeout | forever | idleTimeout",
        "api.tls.secret | x | secret",
    })
    void rejects(String key, String value, String named) {
        final Object typed = value.matches("-?[0-9]+") ? (Object) Long.parseLong(value) : value;
        assertThatThrownBy(() -> ChartHelm.template(Map.of(key, typed)))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(named);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "kafka.sasl.enabled | kafka.sasl.username is required",
        "schemaRegistry.enabled | schemaRegistry.url is required",
        "kafka.tls.clientAuth.enabled | kafka.tls.clientAuth.secret is required",
        "api.tls.enabled | secretName",
        "api.clientAuth.enabled | api.clientAuth.enabled needs api.tls.enabled",
    })
    void requiresWhatAnOptionNeeds(String flag, String message) {
        assertThatThrownBy(() -> ChartHelm.template(Map.of(flag, true, "kafka.tls.enabled", true)))
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"kafka.bootstrapServers"})
    void needsBrokersWithoutStrimzi(String key) {
        assertThatThrownBy(() -> ChartHelm.template(Map.of(key, "")))
                .hasMessageContaining("bootstrapServers");
    }
}
