package org.dbmstream.topology.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.DestinationApp;

/**
 * Several instances of the destination application ({@link DestinationApp}, the class
 * {@code dbm destination} runs; same application id, one state directory each) on one broker, with
 * the topics created up front: every topic with the same number of partitions, the migrations topic
 * compacted.
 */
final class DestinationInstances implements AutoCloseable {

    private final List<DestinationApp> instances = new ArrayList<>();

    private DestinationInstances() {
    }

    /**
     * The test configuration of one instance: the application's defaults (exactly_once_v2) with a
     * short session timeout, so that a killed instance's partitions move on within seconds.
     */
    static DestinationConfig config(String bootstrap, String prefix, String applicationId, Path stateDir) {
        return DestinationConfig.defaults(bootstrap, stateDir).withTopicPrefix(prefix).withApplicationId(applicationId)
                .withExtra(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100",
                        StreamsConfig.consumerPrefix("session.timeout.ms"), "6000",
                        StreamsConfig.consumerPrefix("heartbeat.interval.ms"), "1500"));
    }

    /** Creates the application's topics, {@code partitions} each, the migrations topic compacted. */
    static void createTopics(KafkaBroker broker, String prefix, int partitions) {
        Topics topics = new Topics(prefix);
        broker.createTopics(partitions, topics.chunks(), topics.events(), topics.writes(), topics.dlq(),
                prefix + DestinationConfig.CONTROL_TOPIC);
        broker.createTopic(topics.migrations(), partitions, Map.of("cleanup.policy", "compact"));
    }

    /** Creates the topics and starts one instance per state directory; returns once all of them run. */
    static DestinationInstances start(KafkaBroker broker, String prefix, String applicationId, int partitions,
            List<Path> stateDirs) {
        createTopics(broker, prefix, partitions);
        DestinationInstances app = new DestinationInstances();
        try {
            for (Path dir : stateDirs) {
                app.instances.add(new DestinationApp(config(broker.bootstrapServers(), prefix, applicationId, dir)).start());
            }
            app.awaitRunning(Duration.ofSeconds(60));
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    private void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!instances.stream().allMatch(a -> a.streams().state() == KafkaStreams.State.RUNNING)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Destination instances not running after " + timeout + ": "
                        + instances.stream().map(a -> a.streams().state()).toList());
            }
            instances.forEach(a -> {
                KafkaStreams.State state = a.streams().state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException("Destination instance stopped: " + state);
                }
            });
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        instances.forEach(DestinationApp::close);
    }
}
