package org.dbmstream.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code qemu-nbd} serving a qcow2 image read-only on a Unix socket with some of its dirty bitmaps
 * ({@code -B NAME}), for tests; {@link #close} stops it. Ready once the socket exists.
 */
public final class QemuNbdServer implements AutoCloseable {
    private final Process process;
    private final Path socket;
    private final String exportName;

    private QemuNbdServer(final Process process, final Path socket, final String exportName) {
        this.process = process;
        this.socket = socket;
        this.exportName = exportName;
    }

    /** Serves {@code image} as export {@code exportName} with {@code bitmaps}; the socket goes in {@code dir}. */
    public static QemuNbdServer start(final Path image, final String exportName, final Path dir,
            final String... bitmaps) throws IOException, InterruptedException {
        return start(image, exportName, dir, List.of(), bitmaps);
    }

    /**
     * Like {@link #start}, but requiring TLS with the x509 credentials in {@code credsDir} (qemu's layout:
     * ca-cert.pem, server-cert.pem, server-key.pem); {@code verifyPeer} asks clients for a certificate.
     */
    public static QemuNbdServer startTls(final Path image, final String exportName, final Path dir,
            final Path credsDir, final boolean verifyPeer, final String... bitmaps)
            throws IOException, InterruptedException {
        return start(image, exportName, dir, List.of("--object", "tls-creds-x509,id=tls0,endpoint=server,dir="
                + credsDir + ",verify-peer=" + (verifyPeer ? "on" : "off"), "--tls-creds=tls0"), bitmaps);
    }

    private static QemuNbdServer start(final Path image, final String exportName, final Path dir,
            final List<String> extra, final String... bitmaps) throws IOException, InterruptedException {
        final Path socket = dir.resolve("nbd-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".sock");
        final List<String> cmd = new ArrayList<>(List.of("qemu-nbd", "--read-only", "--persistent", "--shared=4",
                "--format=qcow2", "--socket=" + socket, "--export-name=" + exportName));
        cmd.addAll(extra);
        for (final String b : bitmaps) {
            cmd.add("--bitmap=" + b);
        }
        cmd.add(image.toString());
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu-nbd-" + System.nanoTime() + ".log").toFile()).start();
        UnixSockets.awaitAccepting(socket, p, Duration.ofSeconds(60), "qemu-nbd " + String.join(" ", cmd));
        return new QemuNbdServer(p, socket, exportName);
    }

    public Path socket() {
        return socket;
    }

    /** {@code nbd+unix:///EXPORT?socket=PATH} plus the given query (e.g. {@code bitmap=b64k&granularity=64K}). */
    public String uri(final String query) {
        return "nbd+unix:///" + exportName + "?socket=" + socket + (query.isEmpty() ? "" : "&" + query);
    }

    /** {@code nbds+unix:///EXPORT?socket=PATH} plus the given query: the same export over TLS. */
    public String tlsUri(final String query) {
        return "nbds+unix:///" + exportName + "?socket=" + socket + (query.isEmpty() ? "" : "&" + query);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
