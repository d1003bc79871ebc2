package org.dbmstream.broker;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A running Kafka cluster that clients reach through {@link #bootstrapServers()}: the in-process
 * {@link EmbeddedKafkaBroker}, a {@link StandaloneKafkaCluster}, or any other broker (e.g. a container in
 * integration tests). Topics created here get the cluster's default replication factor (1 on a single
 * node, 3 on a cluster).
 */
public interface KafkaBroker extends AutoCloseable {

    /** {@code host:port} list for the {@code bootstrap.servers} client setting. */
    String bootstrapServers();

    /** Stops the broker and releases what it holds; a no-op when already closed. */
    @Override
    void close();

    /** Client properties with {@code bootstrap.servers} set, a starting point for producers/consumers. */
    default Properties clientProperties() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** Creates topics of {@code partitions} partitions each; topics that already exist are left as they are. */
    default void createTopics(int partitions, String... names) {
        createTopics(Arrays.stream(names).map(n -> new NewTopic(n, Optional.of(partitions), Optional.empty())).toList());
    }

    /** Creates one topic with topic-level configs (e.g. {@code cleanup.policy=compact}); an existing one is kept. */
    default void createTopic(String name, int partitions, Map<String, String> configs) {
        createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs)));
    }

    /** Creates the given topics and waits until the broker has them; existing topics are kept. */
    default void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(clientProperties())) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic '" + entry.getKey() + "': "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            awaitMetadata(admin, topics);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topics on " + bootstrapServers(), e);
        }
    }

    /**
     * Waits until the broker's metadata lists every partition of {@code topics} with a leader. The
     * controller acknowledges a creation before the broker has applied it, and a Kafka Streams
     * application started in between fails its first rebalance with "Missing source topics".
     */
    private void awaitMetadata(Admin admin, Collection<NewTopic> topics) throws InterruptedException {
        List<String> names = topics.stream().map(NewTopic::name).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                var described = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
                boolean ready = topics.stream().allMatch(t -> {
                    var d = described.get(t.name());
                    return d != null && (t.numPartitions() < 0 || d.partitions().size() >= t.numPartitions())
                            && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                });
                if (ready) {
                    return;
                }
            } catch (ExecutionException | TimeoutException notYet) {
                // unknown topic until the broker applies the creation: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topics " + names + " created but not in the metadata of "
                        + bootstrapServers() + " after 30 s");
            }
            Thread.sleep(50);
        }
    }
}
