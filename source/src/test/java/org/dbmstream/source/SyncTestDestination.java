package org.dbmstream.source;

import java.nio.file.Path;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationApp;

/** Test helper for other packages: the real destination on the test broker, as {@link Destination} starts it. */
public final class SyncTestDestination {
    private SyncTestDestination() {
    }

    public static DestinationApp start(KafkaBroker broker, Topics topics, Path stateDir, int partitions)
            throws InterruptedException {
        return Destination.start(broker, topics, stateDir, partitions);
    }
}
