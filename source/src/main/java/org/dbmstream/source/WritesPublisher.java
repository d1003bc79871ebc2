package org.dbmstream.source;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dbmstream.schemas.DestinationWrite;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;

/**
 * Publishes guest writes made on the destination after a switchover to the {@code writes} topic, keyed by
 * target, with an idempotent producer; each names the migration it follows, so the destination holds it
 * until that migration's switchover wherever the switchover arrives late. A write barrier after them tells
 * when the destination applied them all ({@link #barrier}).
 */
public final class WritesPublisher {
    private WritesPublisher() {
    }

    /**
     * Sends {@code writes} on {@code target} and waits until the broker has them all.
     *
     * @param serdeConfig       serde settings (empty: embedded Avro)
     * @param producerOverrides extra producer settings (security etc.)
     */
    public static void publish(String bootstrapServers, Topics topics, Map<String, ?> serdeConfig,
            Map<String, ?> producerOverrides, String migration, String target, List<WritesFile.Write> writes) {
        send(bootstrapServers, topics, serdeConfig, producerOverrides, migration, target, writes, null);
    }

    /**
     * Sends a write barrier of {@code migration} on {@code target}, after every write sent before on that
     * target (same key, same partition, in order), and returns its id: each loading partition of the
     * destination answers with a WritesApplied event of that id once it applied those writes.
     */
    public static String barrier(String bootstrapServers, Topics topics, Map<String, ?> serdeConfig,
            Map<String, ?> producerOverrides, String migration, String target) {
        String id = "barrier-" + UUID.randomUUID();
        send(bootstrapServers, topics, serdeConfig, producerOverrides, migration, target, List.of(), id);
        return id;
    }

    private static void send(String bootstrapServers, Topics topics, Map<String, ?> serdeConfig,
            Map<String, ?> producerOverrides, String migration, String target, List<WritesFile.Write> writes,
            String barrier) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "dbm-writes-" + migration);
        p.putAll(producerOverrides);
        Serializer<DestinationWrite> values = DbmSerdes.destinationWrite(serdeConfig).serializer();
        try (KafkaProducer<String, DestinationWrite> producer =
                new KafkaProducer<>(p, new StringSerializer(), values)) {
            Instant now = Instant.now();
            for (WritesFile.Write w : writes) {
                producer.send(new ProducerRecord<>(topics.writes(), target,
                        new DestinationWrite(target, w.node(), w.offset(), w.length(), migration, now, null)));
            }
            if (barrier != null) {
                producer.send(new ProducerRecord<>(topics.writes(), target,
                        new DestinationWrite(target, "", 0L, 0L, migration, now, barrier)));
            }
            producer.flush();
        }
    }
}
