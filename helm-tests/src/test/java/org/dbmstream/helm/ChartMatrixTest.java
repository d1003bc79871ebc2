package org.dbmstream.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code helm template} over a matrix of values; what matters for a Kafka Streams StatefulSet checked in each. */
class ChartMatrixTest {

    static Stream<Arguments> matrix() {
        return Stream.of(
                Arguments.of("defaults", Map.of()),
                Arguments.of("one replica", Map.of("replicaCount", 1)),
                Arguments.of("five replicas, two standbys", Map.of("replicaCount", 5,
                        "destination.numStandbyReplicas", 2)),
                Arguments.of("no standbys, at least once", Map.of("destination.numStandbyReplicas", 0,
                        "destination.processingGuarantee", "at_least_once")),
                Arguments.of("SASL over TLS with a registry", Map.of("kafka.bootstrapServers", "kafka.example:9093",
                        "kafka.tls.enabled", true, "kafka.tls.caSecret", "kafka-ca",
                        "kafka.sasl.enabled", true, "kafka.sasl.username", "dbm",
                        "kafka.sasl.passwordSecret", "dbm-kafka",
                        "schemaRegistry.enabled", true, "schemaRegistry.url", "https://registry.example:8081",
                        "schemaRegistry.credentialsSecret", "dbm-registry")),
                Arguments.of("Strimzi with SCRAM, TLS, Connect, ingress, ServiceMonitor", strimzi()),
                Arguments.of("Strimzi with mutual TLS", Map.of("strimzi.enabled", true, "kafka.bootstrapServers", "",
                        "kafka.tls.enabled", true, "kafka.tls.clientAuth.enabled", true,
                        "strimzi.user.authentication", "tls", "kafka.topicPrefix", "prod.dbm.")),
                Arguments.of("API over HTTPS with client certificates, own tokens, NetworkPolicy", secureApi()));
    }

    private static Map<String, Object> secureApi() {
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("api.tls.enabled", true);
        v.put("api.tls.secretName", "dbm-api-tls");
        v.put("api.clientAuth.enabled", true);
        v.put("api.clientAuth.required", true);
        v.put("api.auth.existingSecret", "dbm-api-access");
        v.put("api.auth.protectMetrics", true);
        v.put("api.networkPolicy.enabled", true);
        v.put("api.networkPolicy.allowNamespaces[0]", "ingress-nginx");
        v.put("api.networkPolicy.allowPodLabels[0].app", "backup");
        v.put("ingress.enabled", true);
        v.put("ingress.tls[0].secretName", "dbm-ingress-tls");
        v.put("ingress.tls[0].hosts[0]", "dbm.example.com");
        v.put("serviceMonitor.enabled", true);
        return v;
    }

    private static Map<String, Object> strimzi() {
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("strimzi.enabled", true);
        v.put("kafka.bootstrapServers", "");
        v.put("kafka.tls.enabled", true);
        v.put("kafka.sasl.enabled", true);
        v.put("strimzi.connect.enabled", true);
        v.put("ingress.enabled", true);
        v.put("serviceMonitor.enabled", true);
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void rendersWhatKafkaStreamsNeeds(String name, Map<String, Object> values) throws IOException {
        final RenderedChart chart = ChartHelm.render(values);
        final V1StatefulSet sts = chart.one(V1StatefulSet.class);
        final V1PodSpec pod = sts.getSpec().getTemplate().getSpec();
        final V1Container c = pod.getContainers().get(0);
        final Map<String, String> args = flags(c.getArgs());
        final Properties props = properties(chart.one(V1ConfigMap.class));

        assertThat(sts.getSpec().getReplicas()).isEqualTo(values.getOrDefault("replicaCount", 3));
        assertThat(c.getArgs().get(0)).isEqualTo("destination");

        // one PVC per pod, mounted where --state-dir points
        assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement()
                .satisfies(pvc -> assertThat(pvc.getMetadata().getName()).isEqualTo("state"));
        assertThat(args.get("--state-dir")).startsWith(mount(c, "state").getMountPath() + "/");

        // the headless Service gives each pod the DNS name it advertises as application.server
        final V1Service headless = chart.service(sts.getSpec().getServiceName()).orElseThrow();
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getSelector()).isEqualTo(sts.getSpec().getSelector().getMatchLabels());
        assertThat(args.get("--advertised-host")).isEqualTo("$(POD_NAME)." + headless.getMetadata().getName()
                + ".$(POD_NAMESPACE).svc.cluster.local");
        assertThat(env(c, "POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env(c, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.namespace");
        final int httpPort = Integer.parseInt(args.get("--http-port"));
        assertThat(headless.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getPort()).isEqualTo(httpPort));
        assertThat(c.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(httpPort);
        });

        // probes on the destination's health endpoints (DESIGN.md section 9), on the --http-port
        assertProbe(c.getStartupProbe(), "/health/live");
        assertProbe(c.getLivenessProbe(), "/health/live");
        assertProbe(c.getReadinessProbe(), "/health/ready");

        // static membership and standbys come from the properties file; the env provider fills in the pod name
        assertThat(args.get("--config")).isEqualTo(mount(c, "config").getMountPath() + "/destination.properties");
        assertThat(props.getProperty("group.instance.id")).isEqualTo("${env:POD_NAME}");
        assertThat(props.getProperty("config.providers.env.class"))
                .isEqualTo("org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        assertThat(props.getProperty("num.standby.replicas"))
                .isEqualTo(String.valueOf(values.getOrDefault("destination.numStandbyReplicas", 1)));
        assertThat(args.get("--processing-guarantee"))
                .isEqualTo(values.getOrDefault("destination.processingGuarantee", "exactly_once_v2"));

        // SIGTERM must end in a clean Kafka Streams close, never a SIGKILL in the middle of it
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(DestinationApp.CLOSE_TIMEOUT.toSeconds());

        // a drain takes one instance at a time
        final V1PodDisruptionBudget pdb = chart.one(V1PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntValue()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(sts.getSpec().getSelector().getMatchLabels());

        // non-root, read-only root filesystem; state and /tmp are the writable volumes
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(mount(c, "tmp").getMountPath()).isEqualTo("/tmp");
        assertThat(env(c, "JAVA_TOOL_OPTIONS").getValue()).contains("-Xmx1g").contains("-Djava.io.tmpdir=/tmp");

        // the API Service reaches the same pods on the named port
        final V1Service api = chart.service("dbm-dbm-stream").orElseThrow();
        assertThat(api.getSpec().getSelector()).isEqualTo(sts.getSpec().getSelector().getMatchLabels());
        assertThat(api.getSpec().getPorts().get(0).getTargetPort().getStrValue()).isEqualTo("http");
        assertSecurity(values, chart, c, props);
        assertStrimzi(values, chart, args);
        assertApi(values, chart, c, args);
    }

    /** The query API: authentication always on, HTTPS and client certificates when asked, probes in step. */
    private static void assertApi(Map<String, Object> values, RenderedChart chart, V1Container c,
            Map<String, String> args) {
        final boolean tls = Boolean.TRUE.equals(values.get("api.tls.enabled"));
        final String own = (String) values.get("api.auth.existingSecret");
        final io.kubernetes.client.openapi.models.V1Secret generated = chart.one(
                io.kubernetes.client.openapi.models.V1Secret.class);
        assertThat(generated.getMetadata().getName()).isEqualTo("dbm-dbm-stream-api");
        assertThat(generated.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        assertThat(generated.getData()).containsKey("peer-token");
        if (own == null) {
            final String token = new String(generated.getData().get("admin-token"), java.nio.charset.StandardCharsets.UTF_8);
            final String access = new String(generated.getData().get("access"), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(token).startsWith("dbm_").hasSizeGreaterThan(40);
            // the access file holds the token's hash, never the token, in the form the destination reads
            assertThat(access).doesNotContain(token).contains(org.dbmstream.query.AccessFile.line(token,
                    org.dbmstream.query.AccessFile.Role.ADMIN, "chart-admin"));
        } else {
            assertThat(generated.getData()).doesNotContainKeys("admin-token", "access");
        }
        final String accessMount = mount(c, "api-auth").getMountPath();
        assertThat(args.get("--api-access")).isEqualTo(accessMount + "/access");
        assertThat(volume(chart, "api-auth").getSecret().getSecretName()).isEqualTo(own != null ? own
                : "dbm-dbm-stream-api");
        assertThat(args.get("--api-peer-token-file")).isEqualTo(mount(c, "api-peer").getMountPath() + "/peer-token");
        final String scheme = tls ? "HTTPS" : "HTTP";
        for (V1Probe p : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
            assertThat(p.getHttpGet().getScheme()).isEqualTo(scheme);
        }
        if (tls) {
            assertThat(args.get("--api-tls-dir")).isEqualTo(mount(c, "api-tls").getMountPath());
            assertThat(volume(chart, "api-tls").getSecret().getSecretName()).isEqualTo(values.get("api.tls.secretName"));
            assertThat(args.get("--api-client-ca")).startsWith(mount(c, "api-client-ca").getMountPath() + "/");
            assertThat(args.get("--api-client-auth")).isEqualTo("required");
            assertThat(c.getArgs()).contains("--api-protect-metrics");
            final JsonNode endpoint = chart.custom("ServiceMonitor").get(0).path("spec").path("endpoints").get(0);
            assertThat(endpoint.path("scheme").asText()).isEqualTo("https");
            assertThat(endpoint.path("authorization").path("credentials").path("name").asText()).isEqualTo(own);
            assertThat(chart.one(io.kubernetes.client.openapi.models.V1Ingress.class).getSpec().getTls())
                    .singleElement().satisfies(t -> assertThat(t.getSecretName()).isEqualTo("dbm-ingress-tls"));
        } else {
            assertThat(args).doesNotContainKeys("--api-tls-dir", "--api-client-ca");
        }
        final List<io.kubernetes.client.openapi.models.V1NetworkPolicy> policies = chart.all(
                io.kubernetes.client.openapi.models.V1NetworkPolicy.class);
        if (Boolean.TRUE.equals(values.get("api.networkPolicy.enabled"))) {
            final var rule = policies.get(0).getSpec().getIngress().get(0);
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntValue())
                    .isEqualTo(Integer.parseInt(args.get("--http-port"))));
            // the release's own pods (forwarding), then the listed namespace and pod labels
            assertThat(rule.getFrom().get(0).getPodSelector().getMatchLabels())
                    .isEqualTo(chart.one(V1StatefulSet.class).getSpec().getSelector().getMatchLabels());
            assertThat(rule.getFrom().get(1).getNamespaceSelector().getMatchLabels())
                    .containsEntry("kubernetes.io/metadata.name", "ingress-nginx");
            assertThat(rule.getFrom().get(2).getPodSelector().getMatchLabels()).containsEntry("app", "backup");
        } else {
            assertThat(policies).isEmpty();
        }
    }

    private static io.kubernetes.client.openapi.models.V1Volume volume(RenderedChart chart, String name) {
        return chart.one(V1StatefulSet.class).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> name.equals(v.getName())).findFirst().orElseThrow(() -> new AssertionError("no volume " + name));
    }

    @org.junit.jupiter.api.Test
    void extraPropertiesKeepTheirExactValues(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        // a values file gives Helm numbers as floats: a large one must still reach the properties file as digits
        final java.nio.file.Path values = java.nio.file.Files.writeString(dir.resolve("values.yaml"),
                "destination:\n  config:\n    commit.interval.ms: 60000000\n    dbm.serde.format: embedded\n");
        final Properties props = properties(RenderedChart.parse(new com.marcnuri.helm.Helm(ChartHelm.chartDir())
                .template().withName(ChartHelm.RELEASE).withValuesFile(values).set("api.auth.reuseGenerated", false)
                .call()).one(V1ConfigMap.class));
        assertThat(props).containsEntry("commit.interval.ms", "60000000")
                .containsEntry("dbm.serde.format", "embedded");
    }

    private static void assertSecurity(Map<String, Object> values, RenderedChart chart, V1Container c,
            Properties props) {
        final boolean tls = Boolean.TRUE.equals(values.get("kafka.tls.enabled"));
        final boolean sasl = Boolean.TRUE.equals(values.get("kafka.sasl.enabled"));
        assertThat(props.getProperty("security.protocol"))
                .isEqualTo(sasl ? tls ? "SASL_SSL" : "SASL_PLAINTEXT" : tls ? "SSL" : "PLAINTEXT");
        if (sasl) {
            assertThat(props.getProperty("sasl.jaas.config")).contains("password=\"${env:DBM_KAFKA_SASL_PASSWORD}\"");
            assertThat(env(c, "DBM_KAFKA_SASL_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isNotBlank();
        }
        if (tls) {
            assertThat(props.getProperty("ssl.truststore.location")).startsWith(mount(c, "kafka-ca").getMountPath());
        }
        if (Boolean.TRUE.equals(values.get("kafka.tls.clientAuth.enabled"))) {
            assertThat(props.getProperty("ssl.keystore.location"))
                    .startsWith(mount(c, "kafka-client-cert").getMountPath());
            assertThat(props.getProperty("ssl.keystore.password")).isEqualTo("${env:DBM_KAFKA_KEYSTORE_PASSWORD}");
        }
        if (values.containsKey("schemaRegistry.credentialsSecret")) {
            assertThat(props.getProperty("dbm.serde.format")).isEqualTo("registry");
            assertThat(props.getProperty("basic.auth.user.info")).isEqualTo("${env:DBM_REGISTRY_USER_INFO}");
            assertThat(env(c, "DBM_REGISTRY_USER_INFO").getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo("dbm-registry");
        }
        // no secret value is ever written into the ConfigMap
        assertThat(chart.one(V1ConfigMap.class).getData().get("destination.properties"))
                .doesNotContainPattern("password=(?!\"?\\$\\{env:)");
    }

    private static void assertStrimzi(Map<String, Object> values, RenderedChart chart, Map<String, String> args) {
        if (!Boolean.TRUE.equals(values.get("strimzi.enabled"))) {
            assertThat(chart.custom("KafkaTopic")).isEmpty();
            assertThat(chart.custom("KafkaUser")).isEmpty();
            return;
        }
        final boolean tls = Boolean.TRUE.equals(values.get("kafka.tls.enabled"));
        assertThat(args.get("--bootstrap-servers")).isEqualTo("my-cluster-kafka-bootstrap:" + (tls ? 9093 : 9092));
        // a KafkaTopic for each topic the application reads or writes, with the names the code uses
        final Topics topics = new Topics(args.get("--topic-prefix"));
        final List<String> expected = new ArrayList<>(topics.all());
        expected.add(args.get("--topic-prefix") + DestinationConfig.CONTROL_TOPIC);
        expected.add(topics.sync());
        final Map<String, JsonNode> byName = new LinkedHashMap<>();
        chart.custom("KafkaTopic").forEach(t -> byName.put(t.path("spec").path("topicName").asText(), t));
        assertThat(byName.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(byName.get(topics.migrations()).path("spec").path("config").path("cleanup.policy").asText())
                .isEqualTo("compact");
        assertThat(byName.get(topics.sync()).path("spec").path("config").path("cleanup.policy").asText())
                .isEqualTo("compact");
        assertThat(byName.get(topics.chunks()).path("spec").path("config").path("retention.ms").asText())
                .isEqualTo("604800000");
        // the control topic must have as many partitions as chunks (one task reads both)
        assertThat(byName.get(args.get("--topic-prefix") + DestinationConfig.CONTROL_TOPIC).path("spec")
                .path("partitions").asInt()).isEqualTo(byName.get(topics.chunks()).path("spec").path("partitions").asInt());
        byName.values().forEach(t -> assertThat(t.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                .isEqualTo("my-cluster"));

        // the KafkaUser may touch our topics, the Streams internal topics, group and transactional ids
        final JsonNode user = chart.custom("KafkaUser").get(0);
        final List<String> acls = new ArrayList<>();
        user.path("spec").path("authorization").path("acls").forEach(a -> acls.add(a.path("resource").path("type")
                .asText() + ":" + a.path("resource").path("name").asText()));
        final String app = args.get("--application-id");
        assertThat(acls).contains("topic:" + args.get("--topic-prefix"), "topic:" + app, "group:" + app,
                "transactionalId:" + app, "cluster:");
        if (Boolean.TRUE.equals(values.get("strimzi.connect.enabled"))) {
            final JsonNode connector = chart.custom("KafkaConnector").get(0);
            assertThat(connector.path("spec").path("class").asText())
                    .isEqualTo("org.dbmstream.connectors.Qcow2BitmapSourceConnector");
            assertThat(connector.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .isEqualTo(chart.custom("KafkaConnect").get(0).path("metadata").path("name").asText());
            assertThat(chart.custom("ServiceMonitor")).singleElement().satisfies(sm -> assertThat(
                    sm.path("spec").path("endpoints").get(0).path("path").asText()).isEqualTo("/metrics"));
        }
    }

    private static void assertProbe(V1Probe probe, String path) {
        assertThat(probe.getHttpGet().getScheme()).isIn("HTTP", "HTTPS");
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrValue()).isEqualTo("http");
    }

    static Map<String, String> flags(List<String> args) {
        final Map<String, String> flags = new LinkedHashMap<>();
        for (String a : args) {
            final int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                flags.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        return flags;
    }

    static Properties properties(V1ConfigMap map) throws IOException {
        final Properties p = new Properties();
        p.load(new StringReader(map.getData().get("destination.properties")));
        return p;
    }

    static V1EnvVar env(V1Container c, String name) {
        return c.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    private static V1VolumeMount mount(V1Container c, String volume) {
        return c.getVolumeMounts().stream().filter(m -> volume.equals(m.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no mount of volume " + volume));
    }
}
