package org.dbmstream.connectors;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.DestinationTopology;

/** Test helper: the real destination topology (Kafka Streams, RocksDB) running against the test broker. */
final class Destination implements AutoCloseable {
    private final KafkaStreams streams;

    private Destination(KafkaStreams streams) {
        this.streams = streams;
    }

    /** Creates the topics (chunks and control co-partitioned) and starts the destination application. */
    static Destination start(KafkaBroker broker, Topics topics, Path stateDir, int partitions) throws InterruptedException {
        DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), stateDir)
                .withTopicPrefix(topics.prefix()).withApplicationId("dest-" + topics.prefix().replace(".", ""));
        broker.createTopics(partitions, topics.chunks(), config.controlTopic(), topics.events());
        broker.createTopics(1, topics.dlq());
        broker.createTopic(topics.migrations(), 1, Map.of("cleanup.policy", "compact"));
        KafkaStreams streams = new KafkaStreams(DestinationTopology.build(config), config.streamsProperties());
        streams.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                streams.close();
                throw new IllegalStateException("destination not running: " + streams.state());
            }
            Thread.sleep(100);
        }
        return new Destination(streams);
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
