package org.dbmstream.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1KeyToPath;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's configuration path: {@code dbm destination} started with exactly the arguments, environment
 * and properties file the chart renders (paths of the pod's volumes mapped to temporary directories, the
 * pod's name and namespace filled in as Kubernetes does, the chart's generated API credentials written as the
 * kubelet writes Secret volumes) answers on its readiness endpoint, refuses API reads without the generated
 * admin token and answers them with it, joins its
 * group with the pod name as static member id, and stops within the grace period on SIGTERM.
 */
class ChartConfigurationIT {
    private static final String POD = "dbm-dbm-stream-0";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    @Test
    void destinationStartsFromTheRenderedConfiguration(@TempDir Path pod) throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
            final int port = freePort();
            final RenderedChart chart = ChartHelm.render(Map.of("kafka.bootstrapServers", broker.bootstrapServers(),
                    "replicaCount", 1, "destination.topicReplicationFactor", 1, "destination.topicPartitions", 2,
                    "destination.httpPort", port, "jvm.maxHeap", "256m"));
            final V1StatefulSet sts = chart.one(V1StatefulSet.class);
            final V1Container c = sts.getSpec().getTemplate().getSpec().getContainers().get(0);

            // the pod's volumes, as directories of this test
            final Map<String, Path> mounts = new LinkedHashMap<>();
            for (V1VolumeMount m : c.getVolumeMounts()) {
                mounts.put(m.getMountPath(), Files.createDirectories(pod.resolve(m.getName())));
            }
            final V1ConfigMap config = chart.one(V1ConfigMap.class);
            final String configMount = c.getVolumeMounts().stream().filter(m -> m.getName().equals("config"))
                    .findFirst().orElseThrow().getMountPath();
            for (Map.Entry<String, String> file : config.getData().entrySet()) {
                Files.writeString(mounts.get(configMount).resolve(file.getKey()), file.getValue());
            }
            // Secret volumes of Secrets the chart renders (the query API's generated credentials), as the kubelet
            // writes them: each item under its path
            for (V1Volume v : sts.getSpec().getTemplate().getSpec().getVolumes()) {
                if (v.getSecret() == null) {
                    continue;
                }
                final V1Secret secret = chart.all(V1Secret.class).stream()
                        .filter(x -> x.getMetadata().getName().equals(v.getSecret().getSecretName())).findFirst()
                        .orElseThrow(() -> new AssertionError("secret " + v.getSecret().getSecretName()
                                + " is not rendered by the chart"));
                final String mountPath = c.getVolumeMounts().stream().filter(m -> m.getName().equals(v.getName()))
                        .findFirst().orElseThrow().getMountPath();
                for (V1KeyToPath item : v.getSecret().getItems()) {
                    Files.write(mounts.get(mountPath).resolve(item.getPath()), secret.getData().get(item.getKey()));
                }
            }
            final String adminToken = new String(chart.all(V1Secret.class).get(0).getData().get("admin-token"),
                    java.nio.charset.StandardCharsets.UTF_8);

            // the environment: literal values and the downward API's pod name and namespace
            final Map<String, String> env = new LinkedHashMap<>();
            for (V1EnvVar e : c.getEnv()) {
                if (e.getValue() != null) {
                    env.put(e.getName(), remap(e.getValue(), mounts));
                } else {
                    final String field = e.getValueFrom().getFieldRef().getFieldPath();
                    env.put(e.getName(), field.equals("metadata.name") ? POD : ChartHelm.NAMESPACE);
                }
            }
            final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                    "java").toString(), "-cp", Files.readString(Path.of(System.getProperty("dbm.it.classpath.file")))
                    .trim(), "org.dbmstream.cli.Dbm"));
            for (String arg : c.getArgs()) {
                String a = arg;
                for (Map.Entry<String, String> e : env.entrySet()) {
                    a = a.replace("$(" + e.getKey() + ")", e.getValue()); // Kubernetes' $(VAR) expansion
                }
                command.add(remap(a, mounts));
            }
            final Path log = pod.resolve("destination.log");
            final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            final Process destination = builder.start();
            try {
                awaitReady(destination, port, log);
                assertAuthenticationIsOn(port, adminToken);
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers()))) {
                    final String group = ChartMatrixTest.flags(c.getArgs()).get("--application-id");
                    final List<String> instanceIds = admin.describeConsumerGroups(List.of(group)).all()
                            .get(1, TimeUnit.MINUTES).get(group).members().stream()
                            .map(MemberDescription::groupInstanceId).map(id -> id.orElse("(dynamic)")).toList();
                    assertThat(instanceIds).as("static members of %s", group).isNotEmpty()
                            .allSatisfy(id -> assertThat(id).startsWith(POD));
                }
                destination.destroy(); // SIGTERM, as the kubelet sends it
                final long grace = sts.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
                assertThat(destination.waitFor(grace, TimeUnit.SECONDS))
                        .as("stopped within the %d s grace period; log:%n%s", grace, Files.readString(log)).isTrue();
            } finally {
                destination.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitReady(Process destination, int port, Path log) throws Exception {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        final long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            assertThat(destination.isAlive()).as("destination exited; log:%n%s", Files.readString(log)).isTrue();
            try {
                last = http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                last = -1;
            }
            destination.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("/health/ready never answered 200 (last " + last + "); log:\n" + Files.readString(log));
    }

    /** The chart always sets authentication up: without the generated token nothing is read. */
    private static void assertAuthenticationIsOn(int port, String adminToken) throws Exception {
        final HttpClient http = HttpClient.newHttpClient();
        final URI targets = URI.create("http://127.0.0.1:" + port + "/v1/targets");
        assertThat(http.send(HttpRequest.newBuilder(targets).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(targets).header("Authorization", "Bearer " + adminToken).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }

    /** A path under one of the pod's mounts, moved to the test's directory for that volume. */
    private static String remap(String value, Map<String, Path> mounts) {
        String out = value;
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            out = out.replaceAll("(?<=^|[=\\s])" + java.util.regex.Pattern.quote(m.getKey()) + "(?=/|$|\\s)",
                    java.util.regex.Matcher.quoteReplacement(m.getValue().toString()));
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
