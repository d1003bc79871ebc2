package org.dbmstream.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.dbmstream.serdes.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics the destination needs when they are missing: {@code chunks}, {@code migrations}
 * (compacted), {@code events}, {@code writes}, {@code dlq}, {@code sync} (compacted, for {@code dbm sync}), and
 * the {@code control} topic, which must have
 * as many partitions as {@code chunks} (each loading task reads the same partition of both).
 */
public final class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    /** Partitions of created topics when {@value DestinationConfig#TOPIC_PARTITIONS} is not set. */
    public static final int DEFAULT_PARTITIONS = 3;
    private static final Duration METADATA_WAIT = Duration.ofSeconds(30);

    private TopicSetup() {
    }

    /**
     * Creates what is missing and checks the control topic matches the chunks topic.
     *
     * @return the partition count of the chunks topic (the loading tasks' count)
     * @throws IllegalStateException if the control topic exists with another partition count
     */
    public static int ensure(Admin admin, DestinationConfig config) {
        Topics topics = config.topics();
        int partitions = Integer.parseInt(config.extra().getOrDefault(DestinationConfig.TOPIC_PARTITIONS,
                String.valueOf(DEFAULT_PARTITIONS)));
        Optional<Short> replication = Optional.ofNullable(config.extra().get(DestinationConfig.TOPIC_REPLICATION))
                .map(Short::parseShort);
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> wanted = new ArrayList<>();
            for (String t : List.of(topics.chunks(), topics.events(), topics.writes(), topics.dlq())) {
                if (!existing.contains(t)) {
                    wanted.add(new NewTopic(t, Optional.of(partitions), replication));
                }
            }
            for (String compacted : List.of(topics.migrations(), topics.sync())) {
                if (!existing.contains(compacted)) {
                    wanted.add(new NewTopic(compacted, Optional.of(partitions), replication)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
                }
            }
            create(admin, wanted);
            int chunkPartitions = partitionsOf(admin, topics.chunks());
            if (!existing.contains(config.controlTopic())) {
                create(admin, List.of(new NewTopic(config.controlTopic(), Optional.of(chunkPartitions), replication)));
            }
            int controlPartitions = partitionsOf(admin, config.controlTopic());
            if (controlPartitions != chunkPartitions) {
                throw new IllegalStateException("control topic " + config.controlTopic() + " has " + controlPartitions
                        + " partitions but " + topics.chunks() + " has " + chunkPartitions
                        + "; they must match (recreate the control topic with " + chunkPartitions + ")");
            }
            return chunkPartitions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set up topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static void create(Admin admin, List<NewTopic> topics) throws InterruptedException, ExecutionException {
        if (topics.isEmpty()) {
            return;
        }
        LOG.info("Creating topics {}", topics.stream().map(NewTopic::name).toList());
        try {
            admin.createTopics(topics).all().get();
        } catch (ExecutionException e) {
            // another instance may have created them meanwhile
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /** Partition count of {@code topic}, waiting a little for a just-created topic's metadata to spread. */
    private static int partitionsOf(Admin admin, String topic) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
        while (true) {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                return d.partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
