package org.dbmstream.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code qemu-storage-daemon} with a qcow2 image opened read-write as node {@code disk0}, an NBD
 * server on a Unix socket and a QMP monitor, for tests; {@link #close} stops it.
 */
public final class QemuStorageDaemon implements AutoCloseable {
    public static final String NODE = "disk0";

    private final Process process;
    private final Path nbdSocket;
    private final QmpClient qmp;

    private QemuStorageDaemon(final Process process, final Path nbdSocket, final QmpClient qmp) {
        this.process = process;
        this.nbdSocket = nbdSocket;
        this.qmp = qmp;
    }

    /** Starts the daemon on {@code image}; sockets and log go in {@code dir}. */
    public static QemuStorageDaemon start(final Path image, final Path dir) throws IOException, InterruptedException {
        final String id = ProcessHandle.current().pid() + "-" + System.nanoTime();
        final Path nbd = dir.resolve("qsd-nbd-" + id + ".sock");
        final Path qmpSocket = dir.resolve("qsd-qmp-" + id + ".sock");
        final List<String> cmd = new ArrayList<>(List.of("qemu-storage-daemon",
                "--blockdev", "driver=file,filename=" + image + ",node-name=file0",
                "--blockdev", "driver=qcow2,file=file0,node-name=" + NODE,
                "--nbd-server", "addr.type=unix,addr.path=" + nbd + ",max-connections=8",
                "--chardev", "socket,id=qmp0,path=" + qmpSocket + ",server=on,wait=off",
                "--monitor", "chardev=qmp0"));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qsd-" + id + ".log").toFile()).start();
        final String what = "qemu-storage-daemon (log " + dir.resolve("qsd-" + id + ".log") + ")";
        UnixSockets.awaitAccepting(qmpSocket, p, Duration.ofSeconds(60), what);
        UnixSockets.awaitAccepting(nbd, p, Duration.ofSeconds(60), what);
        return new QemuStorageDaemon(p, nbd, QmpClient.connect(qmpSocket));
    }

    public QmpClient qmp() {
        return qmp;
    }

    public Path nbdSocket() {
        return nbdSocket;
    }

    /** Writes {@code length} bytes at {@code offset} of export {@code writableExport} with qemu-io over NBD. */
    public void write(final String writableExport, final long offset, final long length)
            throws IOException, InterruptedException {
        final Process io = new ProcessBuilder("qemu-io", "-f", "raw", "-c", "write " + offset + " " + length,
                "nbd+unix:///" + writableExport + "?socket=" + nbdSocket).redirectErrorStream(true).start();
        final String output = new String(io.getInputStream().readAllBytes());
        if (!io.waitFor(60, TimeUnit.SECONDS) || io.exitValue() != 0 || output.contains("failed")) {
            throw new IOException("qemu-io write failed: " + output);
        }
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
