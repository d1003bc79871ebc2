package org.dbmstream.query;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.record.ControlSerde;

/**
 * Asks the topology to remove a completed bitmap: a {@link Control.BitmapRemoval} record to every
 * partition of the control topic (the partition holding the bitmap drops it, all free its name), the
 * same way the topology broadcasts its own decisions. Idempotent producer; returns once acknowledged.
 */
final class RemovalPublisher implements AutoCloseable {
    private final String topic;
    private final KafkaProducer<String, Control> producer;

    RemovalPublisher(DestinationConfig config) {
        Map<String, Object> props = new HashMap<>();
        config.extra().forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.topic = config.controlTopic();
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ControlSerde());
    }

    void remove(BitmapNames names) {
        Control removal = new Control.BitmapRemoval(names);
        try {
            java.util.List<Future<RecordMetadata>> sent = new java.util.ArrayList<>();
            for (PartitionInfo p : producer.partitionsFor(topic)) {
                sent.add(producer.send(new ProducerRecord<>(topic, p.partition(), names.migration(), removal)));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new Unavailable("the removal could not be written to " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
