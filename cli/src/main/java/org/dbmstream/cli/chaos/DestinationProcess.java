package org.dbmstream.cli.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dbmstream.cli.process.ChildJvm;

/**
 * One destination instance ({@code dbm destination}) in a child JVM with its own state directory, which
 * a chaos run SIGKILLs and restarts. Restarts reuse the state directory, as a crashed pod keeps its volume,
 * unless {@link #wipeState()} took it away (a lost volume). Its query API listens on a free loopback port.
 */
final class DestinationProcess {
    static final String APPLICATION_ID = "chaos-destination";
    private static final Duration READY = Duration.ofSeconds(300);
    private static final Pattern API_URL = Pattern.compile("Query API on (https?://\\S+)");

    private final int index;
    private final Path dir;
    private final Supplier<String> bootstrap;
    private final String topicPrefix;
    private final Path config;
    private final List<String> apiArgs;
    private ChildJvm jvm;
    private Path log;
    private int generation;
    private String baseUrl;

    /**
     * @param bootstrap the brokers to start with (asked at every start: a replaced broker changes the list)
     * @param apiArgs   the query API's protection ({@code --api-access ...})
     */
    DestinationProcess(int index, Path dir, Supplier<String> bootstrap, String topicPrefix, Path config,
            List<String> apiArgs) {
        this.index = index;
        this.dir = dir;
        this.bootstrap = bootstrap;
        this.topicPrefix = topicPrefix;
        this.config = config;
        this.apiArgs = List.copyOf(apiArgs);
    }

    int index() {
        return index;
    }

    /** Starts (or restarts) the instance and waits until its Kafka Streams application runs. */
    void start() throws InterruptedException, IOException {
        Files.createDirectories(dir);
        log = dir.resolve("destination-" + index + "." + (generation++) + ".log");
        List<String> args = new ArrayList<>(List.of("-v", "destination", "--bootstrap-servers", bootstrap.get(),
                "--state-dir", stateDir().toString(), "--application-id", APPLICATION_ID,
                "--topic-prefix", topicPrefix, "--config", config.toString(),
                // every instance serves the query API on loopback: a free port each, so that instances never collide
                "--http-port", "0", "--http-host", "127.0.0.1", "--advertised-host", "127.0.0.1"));
        args.addAll(apiArgs);
        jvm = ChildJvm.start(log, "320m", args);
        if (!jvm.awaitOutput("Destination '" + APPLICATION_ID + "' running", READY)) {
            throw new IllegalStateException("destination " + index + " did not start; see " + log);
        }
        Matcher m = API_URL.matcher(Files.readString(log));
        baseUrl = m.find() ? m.group(1) : null;
    }

    /** The query API's base URL of the current run (null before the first start). */
    String baseUrl() {
        return baseUrl;
    }

    Path stateDir() {
        return dir.resolve("state");
    }

    /** Bytes under the state directory (RocksDB files, checkpoints). */
    long stateBytes() throws IOException {
        if (!Files.exists(stateDir())) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(stateDir())) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException gone) {
                    return 0; // RocksDB deleted it meanwhile (compaction)
                }
            }).sum();
        }
    }

    /** Deletes the state directory (the instance must be down): a pod whose volume is lost. */
    void wipeState() throws IOException {
        if (jvm != null && jvm.alive()) {
            throw new IllegalStateException("destination " + index + " still runs");
        }
        if (Files.exists(stateDir())) {
            try (Stream<Path> walk = Files.walk(stateDir())) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    void kill() throws InterruptedException {
        jvm.kill();
    }

    /** True when the process died or its Kafka Streams client stopped on an error (it then stays up idle). */
    boolean broken() {
        return !jvm.alive() || jvm.logContains("-> ERROR") || jvm.logContains("-> PENDING_ERROR");
    }

    /** SIGTERM (a clean stop, as Kubernetes stops a pod), SIGKILL after 30 s. */
    void stop() throws InterruptedException {
        if (jvm != null) {
            jvm.stop();
        }
    }

    Path log() {
        return log;
    }
}
