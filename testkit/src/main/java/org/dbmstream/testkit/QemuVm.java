package org.dbmstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code qemu-system-x86_64 -machine none} with a QMP monitor, for tests: a live VM (no CPU, no guest)
 * whose block nodes and migration QEMU handles exactly as for a real guest. {@link #close} stops it.
 */
public final class QemuVm implements AutoCloseable {
    private final Process process;
    private final QmpClient qmp;
    private final Path log;

    private QemuVm(final Process process, final QmpClient qmp, final Path log) {
        this.process = process;
        this.qmp = qmp;
        this.log = log;
    }

    /** Starts the VM with {@code args} added (e.g. -blockdev ..., -incoming defer); files go in {@code dir}. */
    public static QemuVm start(final Path dir, final List<String> args) throws IOException, InterruptedException {
        final String id = ProcessHandle.current().pid() + "-" + System.nanoTime();
        final Path qmpSocket = dir.resolve("vm-qmp-" + id + ".sock");
        final Path log = dir.resolve("vm-" + id + ".log");
        final List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "none", "-nodefaults",
                "-display", "none", "-S", "-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
        cmd.addAll(args);
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        UnixSockets.awaitAccepting(qmpSocket, p, Duration.ofSeconds(60), "qemu-system-x86_64 (log " + log + ")");
        return new QemuVm(p, QmpClient.connect(qmpSocket), log);
    }

    public QmpClient qmp() {
        return qmp;
    }

    /** What QEMU printed (errors of a failed incoming migration land here). */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /**
     * Loads the migration stream {@code stream} ({@code dirty-bitmaps} capability on, {@code migrate-incoming})
     * and waits until the migration completed; returns the final status (e.g. {@code completed}, {@code failed}).
     */
    public String loadBitmapStream(final Path stream) throws IOException, InterruptedException {
        qmp.execute("migrate-set-capabilities", Map.of("capabilities",
                List.of(Map.of("capability", "dirty-bitmaps", "state", true))));
        qmp.execute("migrate-incoming", Map.of("uri", "exec:cat '" + stream.toString().replace("'", "'\\''") + "'"));
        final long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            final String status = qmp.execute("query-migrate", Map.of()).path("status").asText("none");
            if (status.equals("completed") || status.equals("failed") || status.equals("cancelled")) {
                return status;
            }
            Thread.sleep(20);
        }
        return "timeout";
    }

    /** QEMU's sha256 of a bitmap ({@code x-debug-block-dirty-bitmap-sha256}). */
    public String sha256(final String node, final String bitmap) throws IOException {
        return qmp.execute("x-debug-block-dirty-bitmap-sha256", Map.of("node", node, "name", bitmap))
                .get("sha256").asText();
    }

    /** The dirty-bitmaps QEMU reports for {@code node} ({@code query-named-block-nodes}). */
    public List<JsonNode> bitmaps(final String node) throws IOException {
        final List<JsonNode> out = new ArrayList<>();
        for (final JsonNode n : qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
            if (n.path("node-name").asText().equals(node)) {
                n.path("dirty-bitmaps").forEach(out::add);
            }
        }
        return out;
    }

    /** Quits QEMU through QMP (it stores persistent bitmaps into qcow2 images on the way) and waits. */
    public void quit() throws IOException, InterruptedException {
        try {
            qmp.execute("quit", Map.of());
        } catch (IOException e) {
            // the connection closes as QEMU exits
        }
        process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            qmp.close();
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
