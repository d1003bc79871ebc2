package org.dbmstream.broker.testing;

import org.dbmstream.broker.KafkaBroker;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node Kafka in a container (Testcontainers), configured like the embedded broker:
 * replication factor 1 for internal topics and no initial rebalance delay.
 */
final class ContainerKafkaBroker implements KafkaBroker {

    /** The image; same Kafka version as the embedded broker unless overridden. */
    static final String IMAGE_PROPERTY = "dbm.it.kafka.image";
    static final String DEFAULT_IMAGE = "apache/kafka:4.4.0";

    private final KafkaContainer container;

    private ContainerKafkaBroker(KafkaContainer container) {
        this.container = container;
    }

    /** Whether Testcontainers finds a Docker engine (its answer is cached for the JVM). */
    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** Starts the container, or aborts the calling test class (skipped) when no Docker engine is reachable. */
    static KafkaBroker startIfDockerPresent() {
        Assumptions.assumeTrue(dockerAvailable(),
                "No Docker engine: skipping the Testcontainers Kafka broker");
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE)))
                .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        container.start();
        return new ContainerKafkaBroker(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
