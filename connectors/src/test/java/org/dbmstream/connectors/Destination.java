package org.dbmstream.connectors;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;

/** Test helper: the real destination ({@link DestinationApp}, as {@code dbm destination} runs it) on the test broker. */
final class Destination {
    private Destination() {
    }

    /** Starts the destination for {@code topics} (it creates missing topics, {@code partitions} each). */
    static DestinationApp start(KafkaBroker broker, Topics topics, Path stateDir, int partitions)
            throws InterruptedException {
        DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), stateDir)
                .withTopicPrefix(topics.prefix()).withApplicationId("dest-" + topics.prefix().replace(".", ""))
                .withExtra(Map.of(DestinationConfig.TOPIC_PARTITIONS, String.valueOf(partitions)));
        DestinationApp app = new DestinationApp(config).start();
        if (!app.awaitRunning(Duration.ofSeconds(60))) {
            app.close();
            throw new IllegalStateException("destination not running: " + app.streams().state());
        }
        return app;
    }
}
