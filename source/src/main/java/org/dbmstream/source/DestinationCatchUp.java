package org.dbmstream.source;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until a destination (a Kafka Streams application, whose consumer group is its application id) has
 * consumed and committed everything now on some topics. Under exactly-once, what processing those records
 * produced (events) is committed with those offsets, so it can be read once this returns.
 */
public final class DestinationCatchUp {
    private static final Duration POLL = Duration.ofMillis(100);

    private DestinationCatchUp() {
    }

    /**
     * Waits, topic by topic in the order given, until the group's committed offsets reach each partition's
     * last stable offset as it was when that topic's turn came. Returns false on timeout.
     */
    public static boolean await(Admin admin, String groupId, List<String> topics, Duration timeout)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String topic : topics) {
            Map<TopicPartition, Long> ends = ends(admin, topic);
            while (!reached(admin, groupId, ends)) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(POLL.toMillis());
            }
        }
        return true;
    }

    private static Map<TopicPartition, Long> ends(Admin admin, String topic)
            throws InterruptedException, ExecutionException {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            ask.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(ask, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static boolean reached(Admin admin, String groupId, Map<TopicPartition, Long> ends)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
        for (var e : ends.entrySet()) {
            if (e.getValue() == 0) {
                continue;
            }
            OffsetAndMetadata c = committed.get(e.getKey());
            if (c == null || c.offset() < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
