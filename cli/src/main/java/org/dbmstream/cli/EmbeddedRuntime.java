package org.dbmstream.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code dbm} runs in-process when no {@code --bootstrap-servers} is given: a real Kafka broker
 * (KRaft) and, when asked, the destination topology on it. Everything lives in temporary directories
 * removed on {@link #close()}.
 */
public final class EmbeddedRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRuntime.class);
    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final EmbeddedKafkaBroker broker;
    private DestinationApp destination;
    private Path stateDir;

    private EmbeddedRuntime(final EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    /** Starts an in-process broker on 127.0.0.1 (free port, temporary data directory). */
    public static EmbeddedRuntime startBroker() {
        LOG.info("Starting an in-process Kafka broker (KRaft)");
        final EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(null, Map.of());
        broker.start();
        LOG.info("In-process Kafka broker ready on {}", broker.bootstrapServers());
        return new EmbeddedRuntime(broker);
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Starts the destination topology on this broker with a temporary state directory. */
    public DestinationApp startDestination(final String topicPrefix, final Map<String, String> extra)
            throws InterruptedException {
        try {
            stateDir = Files.createTempDirectory("dbm-state-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory", e);
        }
        final DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), stateDir)
                .withTopicPrefix(topicPrefix).withExtra(extra);
        destination = new DestinationApp(config).start();
        if (!destination.awaitRunning(STARTUP)) {
            throw new IllegalStateException("the destination topology did not start within " + STARTUP.toSeconds()
                    + " s (run with -v for details)");
        }
        return destination;
    }

    @Override
    public void close() {
        if (destination != null) {
            destination.close();
        }
        broker.close();
        if (stateDir != null) {
            deleteQuietly(stateDir);
        }
    }

    static void deleteQuietly(final Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("could not delete {}", dir, e);
        }
    }
}
