package org.dbmstream.topology.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.streams.KafkaStreams;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.DestinationTopology;

/**
 * One destination instance in a JVM of its own, so that a test can kill it with SIGKILL (a real
 * crash: no close, no commit, no flush). Arguments: bootstrap servers, topic prefix, application
 * id, state directory. Prints {@code STATE <new state>} lines on stdout and runs until killed.
 */
public final class DestinationMain {

    private DestinationMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        DestinationConfig config = DestinationInstances.config(args[0], args[1], args[2], Path.of(args[3]));
        KafkaStreams streams = new KafkaStreams(DestinationTopology.build(config), config.streamsProperties());
        streams.setStateListener((now, before) -> {
            System.out.println("STATE " + now);
            System.out.flush();
        });
        // SIGTERM (the test's teardown) closes cleanly; SIGKILL (the crash) skips this
        Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(10))));
        streams.start();
        new CountDownLatch(1).await();
    }
}
