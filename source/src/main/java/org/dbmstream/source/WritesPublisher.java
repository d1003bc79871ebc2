package org.dbmstream.source;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * until that migration's switchover wherever the switchover arrives late.
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
                        new DestinationWrite(target, w.node(), w.offset(), w.length(), migration, now)));
            }
            producer.flush();
        }
    }
}
