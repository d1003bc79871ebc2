package org.dbmstream.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A QMP monitor connection (JSON lines over a Unix socket) in which every wait has a deadline, so that a QEMU
 * that stops answering gives an error rather than a hung command. Events between replies are skipped.
 */
final class QmpConnection implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest reply line accepted (query-named-block-nodes of one image is a few KiB). */
    private static final int MAX_LINE = 16 << 20;

    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutMillis;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).flip();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private QmpConnection(final SocketChannel channel, final Selector selector, final Duration timeout) {
        this.channel = channel;
        this.selector = selector;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
    }

    /** Connects, reads the greeting and leaves capabilities negotiation. */
    static QmpConnection connect(final Path socket, final Duration timeout) throws IOException {
        final SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            final QmpConnection c = new QmpConnection(ch, Selector.open(), timeout);
            c.readMessage();
            c.execute("qmp_capabilities", Map.of());
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Runs a command; returns its {@code return} value, or throws with QEMU's error description. */
    JsonNode execute(final String command, final Map<String, ?> arguments) throws IOException {
        final ObjectNode msg = JSON.createObjectNode().put("execute", command);
        if (!arguments.isEmpty()) {
            msg.set("arguments", JSON.valueToTree(arguments));
        }
        final ByteBuffer out = ByteBuffer.wrap((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                await(SelectionKey.OP_WRITE, command);
            }
        }
        while (true) {
            final JsonNode reply = readMessage();
            if (reply.has("return")) {
                return reply.get("return");
            }
            if (reply.has("error")) {
                throw new QemuException("QEMU refused " + command + ": " + reply.get("error").path("desc").asText());
            }
        }
    }

    private JsonNode readMessage() throws IOException {
        while (true) {
            while (buffer.hasRemaining()) {
                final byte b = buffer.get();
                if (b == '\n') {
                    final JsonNode n = JSON.readTree(line.toByteArray());
                    line.reset();
                    return n;
                }
                if (line.size() >= MAX_LINE) {
                    throw new QemuException("QEMU sent a QMP message longer than " + MAX_LINE + " bytes");
                }
                line.write(b);
            }
            buffer.clear();
            final int r = channel.read(buffer);
            buffer.flip();
            if (r < 0) {
                throw new QemuException("QEMU closed its QMP monitor (it exited)");
            }
            if (r == 0) {
                await(SelectionKey.OP_READ, "a QMP reply");
            }
        }
    }

    private void await(final int op, final String what) throws IOException {
        final SelectionKey key = channel.register(selector, op);
        try {
            if (selector.select(timeoutMillis) == 0) {
                throw new QemuException("QEMU did not answer " + what + " within " + timeoutMillis + " ms");
            }
            selector.selectedKeys().clear();
        } finally {
            key.interestOps(0);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
