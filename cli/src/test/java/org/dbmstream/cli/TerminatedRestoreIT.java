package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore stopped with SIGTERM (as a service manager or Ctrl-C stops it) while the body still arrives leaves
 * no temporary file and no output: {@code dbm bitmaps raw} runs in a JVM of its own whose temporary directory
 * is watched, against an in-process API that dribbles a 6 MB body.
 */
class TerminatedRestoreIT {
    @Test
    void sigtermRemovesThePartialDownload(@TempDir final Path tmp) throws Exception {
        final Path tmpDir = Files.createDirectories(tmp.resolve("tmp"));
        final Path out = tmp.resolve("b.raw");
        try (HostileReplica api = new HostileReplica()) {
            api.body = HostileReplica.Body.DRIBBLE;
            // metadata of a 6,000,000-byte bitmap, so the dribble is a body still arriving, not too long
            api.metadata.put("size", 6_000_000L * 8 * 65536);
            final Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + tmpDir, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    "org.dbmstream.cli.Dbm", "bitmaps", "raw", "--url", api.url(), HostileReplica.TARGET,
                    HostileReplica.NODE, HostileReplica.NAME, "-o", out.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
            try {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (partialDownloads(tmpDir).isEmpty() && child.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(partialDownloads(tmpDir)).as(Files.readString(tmp.resolve("child.log"))).isNotEmpty();
                child.destroy();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
        }
        assertThat(Files.list(tmpDir)).as("temporary files after SIGTERM").isEmpty();
        assertThat(out).doesNotExist();
    }

    /** The download's temporary files that already hold bytes. */
    private static List<Path> partialDownloads(final Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("dbm-raw-")).filter(f -> {
                try {
                    return Files.size(f) > 0;
                } catch (java.io.IOException gone) {
                    return false;
                }
            }).toList();
        }
    }
}
