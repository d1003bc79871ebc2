package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbm destination} as an operator runs it (its own JVM): one line per finished migration at the
 * default level, and exit 0 when stopped with SIGTERM.
 */
class DestinationCommandIT {
    private static final long WAIT_S = 120;

    @Test
    void printsEachFinishedMigrationAndExitsZeroOnSigterm(@TempDir final Path state) throws Exception {
        try (EmbeddedRuntime broker = EmbeddedRuntime.startBroker()) {
            final Process destination = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), Dbm.class.getName(), "destination",
                    "--bootstrap-servers", broker.bootstrapServers(), "--state-dir", state.toString(),
                    "--application-id", "dest-it", "--http-host", "127.0.0.1", "--http-port", "0").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                final BlockingQueue<String> lines = follow(destination);
                assertThat(awaitLine(lines, "running")).isNotNull();

                final StringWriter out = new StringWriter();
                final int exit = Dbm.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                        "migrate", "--bootstrap-servers", broker.bootstrapServers(), "--migration-id", "op-1",
                        "--target", "vm9", "--timeout", "2m",
                        InspectCommandTest.testdata().resolve("images/img1.qcow2.gz").toString());
                assertThat(exit).as(out.toString()).isZero();

                assertThat(awaitLine(lines, "op-1")).isEqualTo("MigrationCompleted  op-1 target=vm9 bitmaps=4");
                destination.toHandle().destroy(); // SIGTERM, leaving our end of its stdout open
                assertThat(destination.waitFor(WAIT_S, TimeUnit.SECONDS)).isTrue();
                assertThat(destination.exitValue()).isZero();
                assertThat(awaitLine(lines, "stopped")).as("%s", lines).isEqualTo("Destination 'dest-it' stopped.");
            } finally {
                destination.destroyForcibly();
            }
        }
    }

    static BlockingQueue<String> follow(final Process p) {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                r.lines().forEach(lines::add);
            } catch (IOException e) {
                lines.add("read error: " + e);
            }
        });
        t.setDaemon(true);
        t.start();
        return lines;
    }

    /** The first line containing {@code text}, or null when none came in time. */
    static String awaitLine(final BlockingQueue<String> lines, final String text) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (System.nanoTime() < deadline) {
            final String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.contains(text)) {
                return line;
            }
        }
        return null;
    }
}
