package org.dbmstream.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.dbmstream.qcow2.BitmapData;
import org.dbmstream.qcow2.Qcow2Bitmap;
import org.dbmstream.qcow2.Qcow2Image;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.QemuVm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica reader speaks the query API as DESIGN.md section 9 documents it (percent-encoded UTF-8 path
 * segments, 503 + Retry-After while the owner is unknown, QEMU's 404 wording): here the API is served from a
 * qcow2 image's bitmaps by a small HTTP server, and the exported stream loads into real QEMU with QEMU's
 * sha256 for every bitmap. (The end-to-end test through a real destination is the CLI's ReplicaBackIntoQemuIT.)
 */
class ReplicaExportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "vm 1/é";

    @TempDir
    Path tmp;

    @Test
    void aReplicasBitmapsExportToAStreamQemuLoads() throws Exception {
        assumeTrue(QemuTools.available("qemu-system-x86_64", "qemu-img"), "QEMU is not installed");
        final Path image = QemuTestData.gunzip(QemuTestData.extraDir().resolve("names.qcow2.gz"), tmp);
        final List<JsonNode> expected = QemuTestData.jsonl("../qcow2-extra/expected.jsonl", "image", "names.qcow2");
        final AtomicInteger unavailable = new AtomicInteger(1);
        try (Qcow2Image img = Qcow2Image.open(image); Api api = new Api(img, "names", unavailable, expected)) {
            final Path stream = tmp.resolve("replica.stream");
            try (ReplicaInputs inputs = ReplicaInputs.fetch(new ReplicaClient(api.uri(), Duration.ofSeconds(30)),
                    TARGET, "names", List.of());
                    OutputStream out = Files.newOutputStream(stream)) {
                assertThat(inputs.inputs()).hasSize(expected.size());
                QemuStreamExport.write(MigrationRequest.builder().target("t").inputs(inputs.inputs()).build(), out, "none");
            }
            assertThat(unavailable.get()).as("the 503 was retried").isZero();
            final Path dst = tmp.resolve("dst.qcow2");
            final Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", dst.toString(),
                    Long.toString(img.virtualSize())).inheritIO().start();
            assertThat(p.waitFor()).isZero();
            try (QemuVm vm = QemuVm.start(tmp, List.of("-incoming", "defer",
                    "-blockdev", "driver=file,filename=" + dst + ",node-name=f0",
                    "-blockdev", "driver=qcow2,file=f0,node-name=names"))) {
                assertThat(vm.loadBitmapStream(stream)).as(vm.log()).isEqualTo("completed");
                for (final JsonNode e : expected) {
                    assertThat(vm.sha256("names", e.get("name").asText())).as(e.get("name").asText())
                            .isEqualTo(e.get("sha256").asText());
                }
            }
        }
    }

    @Test
    void aMissingBitmapOrAnApiErrorIsNamed() throws Exception {
        final Path image = QemuTestData.gunzip(QemuTestData.extraDir().resolve("names.qcow2.gz"), tmp);
        final List<JsonNode> expected = QemuTestData.jsonl("../qcow2-extra/expected.jsonl", "image", "names.qcow2");
        try (Qcow2Image img = Qcow2Image.open(image); Api api = new Api(img, "names", new AtomicInteger(), expected)) {
            final ReplicaClient client = new ReplicaClient(api.uri(), Duration.ofSeconds(30));
            assertThatThrownBy(() -> ReplicaInputs.fetch(client, TARGET, null, List.of("nope")))
                    .hasMessageContaining("Dirty bitmap 'nope' not found");
            assertThatThrownBy(() -> ReplicaInputs.fetch(client, "other", null, List.of()))
                    .hasMessageContaining("404").hasMessageContaining("no such target");
        }
    }

    /**
     * The documented API over one image's bitmaps, for target {@link #TARGET}; each bitmap's sha256 and count
     * are QEMU's (the export checks the raw bytes against them).
     */
    private static final class Api implements AutoCloseable {
        private final HttpServer server;
        private final Qcow2Image image;
        private final String node;
        private final AtomicInteger unavailable;
        private final List<JsonNode> qemu;

        Api(final Qcow2Image image, final String node, final AtomicInteger unavailable, final List<JsonNode> qemu)
                throws IOException {
            this.qemu = qemu;
            this.image = image;
            this.node = node;
            this.unavailable = unavailable;
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        }

        private void handle(final HttpExchange ex) throws IOException {
            final String base = "/v1/targets/" + ReplicaClient.segment(TARGET) + "/bitmaps";
            final String path = ex.getRequestURI().getRawPath();
            if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                ex.getResponseHeaders().add("Retry-After", "0");
                send(ex, 503, "{\"error\": \"rebalancing\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.equals(base)) {
                final ArrayNode list = JSON.createArrayNode();
                for (final Qcow2Bitmap b : image.bitmaps()) {
                    final Map<String, Object> m = new HashMap<>();
                    m.put("target", TARGET);
                    m.put("node", node);
                    m.put("name", b.name());
                    m.put("granularity", b.granularity().bytes());
                    m.put("size", b.diskSize());
                    m.put("enabled", b.enabled());
                    m.put("recording", false);
                    m.put("persistent", b.persistent());
                    m.put("state", "complete");
                    qemu.stream().filter(q -> q.get("name").asText().equals(b.name())).findFirst().ifPresent(q -> {
                        m.put("sha256", q.get("sha256").asText());
                        m.put("count", q.get("count").asLong());
                    });
                    list.add(JSON.valueToTree(m));
                }
                send(ex, 200, JSON.writeValueAsBytes(list));
                return;
            }
            for (final Qcow2Bitmap b : image.bitmaps()) {
                if (path.equals(base + "/" + ReplicaClient.segment(node) + "/" + ReplicaClient.segment(b.name()) + "/raw")) {
                    final BitmapData data = image.data(b);
                    final byte[] bytes = new byte[(int) ((b.granularity().bitsFor(b.diskSize()) + 7) / 8)];
                    data.read(0, bytes, 0, (int) Math.min(bytes.length, data.size()));
                    send(ex, 200, bytes);
                    return;
                }
            }
            send(ex, 404, "{\"error\": \"no such target\"}".getBytes(StandardCharsets.UTF_8));
        }

        private static void send(final HttpExchange ex, final int status, final byte[] body) throws IOException {
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
