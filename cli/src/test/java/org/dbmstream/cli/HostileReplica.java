package org.dbmstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.dbmstream.qcow2.Qcow2Image;
import org.dbmstream.testkit.QemuTestData;

/**
 * A destination's query API, in-process (the JDK's HTTP server), that serves one bitmap of target {@code vm},
 * node {@code disk0}: QEMU's bitmap {@code b64k} of {@code img1.qcow2} (2,048 raw bytes) with QEMU's own
 * sha256/count as metadata, and a raw body that may lie as {@link #body} says. Bodies go out chunked,
 * without Content-Length, so only the bitmap's metadata can tell a short one from a whole one.
 */
final class HostileReplica implements AutoCloseable {
    static final String TARGET = "vm";
    static final String NODE = "disk0";
    static final String NAME = "b64k";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the raw endpoint sends. */
    enum Body { EXACT, TRUNCATED, TOO_LONG, FLIPPED_BIT, ENDLESS, DRIBBLE }

    private final HttpServer server;
    private final byte[] raw;
    final ObjectNode metadata;
    volatile Body body = Body.EXACT;

    HostileReplica() throws IOException {
        final var qemu = QemuTestData.expected("img1.qcow2").stream()
                .filter(b -> b.get("name").asText().equals(NAME)).findFirst().orElseThrow();
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dbm-hostile-");
        try (Qcow2Image image = Qcow2Image.open(QemuTestData.image("img1", dir))) {
            final var data = image.data(NAME);
            final long bits = qemu.get("size").asLong() / qemu.get("granularity").asLong();
            raw = new byte[(int) ((bits + 7) / 8)];
            data.read(0, raw, 0, raw.length);
        } finally {
            java.nio.file.Files.deleteIfExists(dir.resolve("img1.qcow2"));
            java.nio.file.Files.deleteIfExists(dir);
        }
        metadata = JSON.createObjectNode().put("target", TARGET).put("node", NODE).put("name", NAME)
                .put("granularity", qemu.get("granularity").asLong()).put("size", qemu.get("size").asLong())
                .put("enabled", true).put("recording", false).put("persistent", true).put("state", "complete")
                .put("count", qemu.get("count").asLong()).put("sha256", qemu.get("sha256").asText());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::answer);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The bitmap's raw bytes, as QEMU stored them. */
    byte[] raw() {
        return raw.clone();
    }

    private void answer(final HttpExchange x) throws IOException {
        final String path = x.getRequestURI().getPath();
        final String one = "/v1/targets/" + TARGET + "/bitmaps/" + NODE + "/" + NAME;
        if (path.equals("/v1/targets/" + TARGET + "/bitmaps")) {
            json(x, "[" + metadata + "]");
        } else if (path.equals(one)) {
            json(x, metadata.toString());
        } else if (path.equals(one + "/raw")) {
            x.getResponseHeaders().add("Content-Type", "application/octet-stream");
            x.sendResponseHeaders(200, 0);
            try (OutputStream out = x.getResponseBody()) {
                rawBody(out);
            } catch (IOException clientWentAway) {
                // the client stopped reading: what a lying server must expect
            }
        } else {
            x.sendResponseHeaders(404, -1);
            x.close();
        }
    }

    private void rawBody(final OutputStream out) throws IOException {
        switch (body) {
            case EXACT -> out.write(raw);
            case TRUNCATED -> out.write(raw, 0, 3);
            case TOO_LONG -> {
                out.write(raw);
                out.write(new byte[5000 - raw.length]);
            }
            case FLIPPED_BIT -> {
                final byte[] changed = raw.clone();
                changed[changed.length / 2] ^= 0x10;
                out.write(changed);
            }
            case ENDLESS -> {
                final byte[] zeros = new byte[1 << 16];
                for (long sent = 0; sent < (1L << 34); sent += zeros.length) {
                    out.write(zeros);
                }
            }
            case DRIBBLE -> {
                final byte[] some = new byte[1024];
                for (int i = 0; i < 6000; i++) {
                    out.write(some);
                    out.flush();
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private static void json(final HttpExchange x, final String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
