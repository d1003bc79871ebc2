package org.dbmstream.topology.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A {@link DestinationMain} in a child JVM, started with the test's own classpath. */
final class ChildDestination implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ChildDestination(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the child and waits until its Kafka Streams instance is RUNNING. */
    static ChildDestination start(String bootstrap, String prefix, String applicationId, Path stateDir, Path log,
            Duration timeout) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                DestinationMain.class.getName(), bootstrap, prefix, applicationId, stateDir.toString());
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            ChildDestination child = new ChildDestination(p, log);
            child.awaitLine("STATE RUNNING", timeout);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a destination JVM", e);
        }
    }

    /** SIGKILL: the JVM ends at once, with transactions open and nothing flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    private void awaitLine(String line, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!Files.readAllLines(log).contains(line)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Destination JVM did not reach '" + line + "'; its output:\n"
                            + String.join("\n", Files.readAllLines(log)));
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
