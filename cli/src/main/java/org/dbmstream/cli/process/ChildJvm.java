package org.dbmstream.cli.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dbmstream.broker.ChildProcesses;

/**
 * A {@code dbm} command in a JVM of its own, with this JVM's classpath; its output appended to a log file.
 * The chaos run and the live bench start destinations and publishers this way, as an operator would.
 */
public final class ChildJvm {
    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code dbm DBM_ARGS} with a heap of {@code heap} (e.g. {@code 512m}); output goes to {@code log}. */
    public static ChildJvm start(Path log, String heap, List<String> dbmArgs) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "org.dbmstream.cli.Dbm"));
        command.addAll(dbmArgs);
        try {
            Process p = ChildProcesses.track(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
            return new ChildJvm(p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a child JVM", e);
        }
    }

    /** Waits until the log holds {@code text}; false when the process ended or the time ran out first. */
    public boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (logContains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                return logContains(text);
            }
            Thread.sleep(200);
        }
        return false;
    }

    public boolean logContains(String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: the JVM ends at once, transactions open, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM, then SIGKILL after 30 s. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** The child's process id (its {@code /proc} entry). */
    public long pid() {
        return process.pid();
    }
}
