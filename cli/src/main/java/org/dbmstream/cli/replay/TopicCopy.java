package org.dbmstream.cli.replay;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Copies the committed records of one topic, as they are (key, value, timestamp, headers, partition), up
 * to its end at the time of the call, into another topic with as many partitions: a replay's own inputs,
 * so the live destination's topics are only read.
 */
final class TopicCopy implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;

    TopicCopy(String bootstrap, Map<String, String> clientConfig) {
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // reading a topic that is not there must not create it
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer = new KafkaConsumer<>(only(c, ConsumerConfig.configNames()), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(only(p, ProducerConfig.configNames()), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private static Map<String, Object> only(Map<String, Object> all, Set<String> names) {
        Map<String, Object> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Every committed record of {@code topic} up to its current end, handed to {@code visit}. */
    void read(String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> visit) {
        List<TopicPartition> parts = partitions(topic);
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
        while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
            consumer.poll(Duration.ofMillis(500)).forEach(visit);
        }
    }

    List<TopicPartition> partitions(String topic) {
        var found = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (found == null || found.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        return found.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /** Copies the records of {@code from} that {@code keep} accepts to the same partition of {@code to}. */
    long copy(String from, String to, Predicate<ConsumerRecord<byte[], byte[]>> keep) {
        long[] copied = {0};
        read(from, r -> {
            if (keep.test(r)) {
                producer.send(new ProducerRecord<>(to, r.partition(), r.timestamp(), r.key(), r.value(), r.headers()));
                copied[0]++;
            }
        });
        producer.flush();
        return copied[0];
    }

    @Override
    public void close() {
        consumer.close();
        producer.close();
    }
}
