package org.dbmstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** A minimal QMP client over a Unix socket, for tests that drive a real QEMU: commands in, results out. */
public final class QmpClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private QmpClient(final SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects, reads the greeting and leaves capabilities negotiation mode. */
    public static QmpClient connect(final Path socket) throws IOException {
        final SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        final QmpClient c = new QmpClient(ch);
        c.readMessage();
        c.execute("qmp_capabilities", Map.of());
        return c;
    }

    /** Runs a command; returns its {@code return} value or throws with QEMU's error description. */
    public JsonNode execute(final String command, final Map<String, ?> arguments) throws IOException {
        final ObjectNode msg = JSON.createObjectNode().put("execute", command);
        msg.set("arguments", JSON.valueToTree(arguments));
        out.write((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            final JsonNode reply = readMessage();
            if (reply.has("return")) {
                return reply.get("return");
            }
            if (reply.has("error")) {
                throw new QmpException(command + ": " + reply.get("error").path("desc").asText());
            }
        }
    }

    /** Runs a command and returns its result, for commands that cannot fail in a test's setup. */
    public JsonNode run(final String command, final Object... keyValues) throws IOException {
        final Map<String, Object> args = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            args.put((String) keyValues[i], keyValues[i + 1]);
        }
        return execute(command, args);
    }

    private JsonNode readMessage() throws IOException {
        final String line = in.readLine();
        if (line == null) {
            throw new IOException("QMP connection closed");
        }
        return JSON.readTree(line);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** QEMU refused a command. */
    public static final class QmpException extends IOException {
        private static final long serialVersionUID = 1L;

        QmpException(final String message) {
            super(message);
        }
    }
}
