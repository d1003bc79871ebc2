package org.dbmstream.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The manifests {@code helm template} rendered, each parsed strictly: built-in kinds by the Kubernetes
 * Java client's models (an unknown field or a wrong type fails the parse), custom resources (Strimzi,
 * Prometheus Operator) as trees with their metadata parsed strictly.
 */
final class RenderedChart {
    /** Custom resources the chart may render, by apiVersion/kind; everything else must be a built-in kind. */
    static final List<String> CUSTOM_KINDS = List.of("kafka.strimzi.io/v1beta2/KafkaTopic",
            "kafka.strimzi.io/v1beta2/KafkaUser", "kafka.strimzi.io/v1beta2/KafkaConnect",
            "kafka.strimzi.io/v1beta2/KafkaConnector", "monitoring.coreos.com/v1/ServiceMonitor");
    private static final Map<String, Class<?>> BUILT_IN = Map.of(
            "v1/ConfigMap", V1ConfigMap.class,
            "v1/Service", V1Service.class,
            "v1/ServiceAccount", V1ServiceAccount.class,
            "apps/v1/StatefulSet", V1StatefulSet.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class,
            "networking.k8s.io/v1/Ingress", V1Ingress.class,
            "v1/Secret", io.kubernetes.client.openapi.models.V1Secret.class,
            "networking.k8s.io/v1/NetworkPolicy", io.kubernetes.client.openapi.models.V1NetworkPolicy.class);
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

    private final List<Object> objects = new ArrayList<>();
    private final List<JsonNode> trees = new ArrayList<>();

    private RenderedChart(String manifests) {
        try {
            for (JsonNode doc : YAML.readValues(new YAMLFactory().createParser(manifests), JsonNode.class).readAll()) {
                if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
                    continue;
                }
                trees.add(doc);
                objects.add(parse((ObjectNode) doc));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("rendered manifests are not YAML", e);
        }
    }

    static RenderedChart parse(String manifests) {
        return new RenderedChart(manifests);
    }

    private static Object parse(ObjectNode doc) throws IOException {
        final String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        final Class<?> model = BUILT_IN.get(type);
        if (model != null) {
            try {
                return JSON.deserialize(JSON_MAPPER.writeValueAsString(doc), model);
            } catch (RuntimeException e) {
                throw new AssertionError("rendered " + type + " '" + doc.path("metadata").path("name").asText()
                        + "' is not a valid " + model.getSimpleName() + ": " + e.getMessage(), e);
            }
        }
        if (!CUSTOM_KINDS.contains(type)) {
            throw new AssertionError("the chart rendered an unexpected kind " + type);
        }
        // strict parse of what every object shares; the spec is checked by the tests that need it
        JSON.deserialize(JSON_MAPPER.writeValueAsString(doc.path("metadata")), V1ObjectMeta.class);
        return doc;
    }

    /** All built-in objects of one model type. */
    <T> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T> T one(Class<T> type) {
        final List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", rendered " + found.size());
        }
        return found.get(0);
    }

    /** Custom resources of one kind, as trees. */
    List<JsonNode> custom(String kind) {
        return trees.stream().filter(t -> kind.equals(t.path("kind").asText())
                && !BUILT_IN.containsKey(t.path("apiVersion").asText() + "/" + kind)).toList();
    }

    Optional<V1Service> service(String name) {
        return all(V1Service.class).stream().filter(s -> name.equals(s.getMetadata().getName())).findFirst();
    }

    int size() {
        return trees.size();
    }
}
