package org.dbmstream.cli.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dbmstream.cli.process.ChildJvm;

/**
 * One destination instance ({@code dbm destination}) in a child JVM with its own state directory, which
 * a chaos run SIGKILLs and restarts. Restarts reuse the state directory, as a crashed pod keeps its volume.
 */
final class DestinationProcess {
    static final String APPLICATION_ID = "chaos-destination";
    private static final Duration READY = Duration.ofSeconds(180);

    private final int index;
    private final Path dir;
    private final String bootstrap;
    private final String topicPrefix;
    private final Path config;
    private ChildJvm jvm;
    private int generation;

    DestinationProcess(int index, Path dir, String bootstrap, String topicPrefix, Path config) {
        this.index = index;
        this.dir = dir;
        this.bootstrap = bootstrap;
        this.topicPrefix = topicPrefix;
        this.config = config;
    }

    /** Starts (or restarts) the instance and waits until its Kafka Streams application runs. */
    void start() throws InterruptedException, IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("destination-" + index + "." + (generation++) + ".log");
        jvm = ChildJvm.start(log, "320m", List.of("-v", "destination", "--bootstrap-servers", bootstrap,
                "--state-dir", dir.resolve("state").toString(), "--application-id", APPLICATION_ID,
                "--topic-prefix", topicPrefix, "--config", config.toString(),
                // every instance serves the query API: a free port each, so that instances never collide
                "--http-port", "0"));
        if (!jvm.awaitOutput("Destination '" + APPLICATION_ID + "' running", READY)) {
            throw new IllegalStateException("destination " + index + " did not start; see " + log);
        }
    }

    void kill() throws InterruptedException {
        jvm.kill();
    }

    /** True when the process died or its Kafka Streams client stopped on an error (it then stays up idle). */
    boolean broken() {
        return !jvm.alive() || jvm.logContains("-> ERROR") || jvm.logContains("-> PENDING_ERROR");
    }

    void stop() throws InterruptedException {
        if (jvm != null) {
            jvm.stop();
        }
    }
}
