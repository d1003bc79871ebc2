package org.dbmstream.source;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;

/**
 * Looks a migration id up on the compacted {@code migrations} topic: a migration id is an identity, so
 * before publishing under an id a publisher asks whether a spec exists for it and with which content
 * fingerprint. Reads only the partition the id's key goes to (the producer's default partitioner,
 * murmur2), read_committed, from its start to its current end.
 */
public final class PublishedMigrations {
    private static final Duration POLL = Duration.ofMillis(200);

    private PublishedMigrations() {
    }

    /**
     * A spec found under an id: the spec (null when its value cannot be decoded) and its fingerprint
     * (null when it was published without one).
     */
    public record Existing(MigrationSpec spec, String fingerprint) {

        /** Whether {@code fingerprint} is this migration's own, i.e. a publication of it again is a retry. */
        public boolean sameContent(String other) {
            return fingerprint != null && fingerprint.equals(other);
        }

        /** How a message names it: target and time of its spec when known. */
        public String describe() {
            return spec == null ? "(undecodable spec)"
                    : "target '" + spec.getTarget() + "', published " + spec.getTime();
        }
    }

    /** The latest spec published under {@code migration}, or empty (no such id, or its spec was deleted). */
    public static Optional<Existing> find(String bootstrapServers, Topics topics, Map<String, ?> serdeConfig,
            Map<String, ?> consumerOverrides, String migration, Duration timeout) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dbm-id-check-" + migration);
        p.putAll(consumerOverrides);
        String topic = topics.migrations();
        byte[] key = migration.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                var specs = DbmSerdes.migrationSpec(serdeConfig).deserializer()) {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, timeout);
            if (parts == null || parts.isEmpty()) {
                return Optional.empty();
            }
            TopicPartition tp = new TopicPartition(topic, Utils.toPositive(Utils.murmur2(key)) % parts.size());
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
            long deadline = System.nanoTime() + timeout.toNanos();
            ConsumerRecord<byte[], byte[]> latest = null;
            while (consumer.position(tp, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new PublishException("cannot read " + topic + " to check migration id '" + migration
                            + "' within " + timeout, null);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (java.util.Arrays.equals(key, r.key())) {
                        latest = r;
                    }
                }
            }
            if (latest == null || latest.value() == null) {
                return Optional.empty();
            }
            Header h = latest.headers().lastHeader(MigrationFingerprint.HEADER);
            String fingerprint = h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
            MigrationSpec spec;
            try {
                spec = specs.deserialize(topic, latest.value());
            } catch (RuntimeException e) {
                spec = null;
            }
            return Optional.of(new Existing(spec, fingerprint));
        }
    }
}
