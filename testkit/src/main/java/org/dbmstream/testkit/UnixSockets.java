package org.dbmstream.testkit;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Waiting for a child process's Unix socket to accept connections (its file exists before it listens). */
final class UnixSockets {
    private UnixSockets() {
    }

    /** Returns once a connection to {@code socket} succeeds; throws when {@code process} died or time ran out. */
    static void awaitAccepting(final Path socket, final Process process, final Duration timeout, final String what)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return;
                } catch (IOException e) {
                    // bound but not listening yet
                }
            }
            if (!process.isAlive()) {
                throw new IOException(what + " exited with " + process.exitValue() + " before " + socket + " accepted");
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException(what + " did not accept on " + socket + " within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
