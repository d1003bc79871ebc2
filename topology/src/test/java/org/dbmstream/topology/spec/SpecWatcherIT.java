package org.dbmstream.topology.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.topology.DestinationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher on a real broker: it offers nothing until it has read what the migrations topic held when
 * it started (a spec removed since must not come back), then every spec as it is written; a tombstone
 * removes one, an undecodable record is skipped (the topology dead-letters it) and reading goes on.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SpecWatcherIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PREFIX = "watch.";

    @Test
    void offersSpecsOnceCaughtUpAndForgetsRemovedOnes(final KafkaBroker broker, @TempDir final Path state)
            throws Exception {
        final DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), state)
                .withApplicationId("watch-app").withTopicPrefix(PREFIX);
        final String topic = config.topics().migrations();
        broker.createTopic(topic, 3, Map.of("cleanup.policy", "compact"));
        final Serializer<MigrationSpec> specs = DbmSerdes.migrationSpec(config.serdeConfig()).serializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(broker.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            // before the watcher starts: one spec that stays, one that is removed again
            send(producer, topic, "old", specs.serialize(topic, spec("old", "vm-old")));
            send(producer, topic, "gone", specs.serialize(topic, spec("gone", "vm-gone")));
            send(producer, topic, "gone", null);
            producer.flush();

            try (SpecWatcher watcher = new SpecWatcher(config.streamsProperties(), topic,
                    DbmSerdes.migrationSpec(config.serdeConfig()).deserializer()).start()) {
                await(watcher::caughtUp);
                assertThat(watcher.find("old").target()).isEqualTo("vm-old");
                assertThat(watcher.find("gone")).isNull();

                send(producer, topic, "junk", "not avro".getBytes(StandardCharsets.UTF_8));
                send(producer, topic, "new", specs.serialize(topic, spec("new", "vm-new")));
                producer.flush();
                await(() -> watcher.find("new") != null);
                assertThat(watcher.find("new").target()).isEqualTo("vm-new");
                assertThat(watcher.find("junk")).isNull();

                send(producer, topic, "new", null);
                producer.flush();
                await(() -> watcher.find("new") == null);
                assertThat(watcher.find("old")).isNotNull();
            }
        }
    }

    private static MigrationSpec spec(final String id, final String target) {
        return new MigrationSpec(id, target, null, null, Instant.EPOCH, false);
    }

    private static void send(final KafkaProducer<byte[], byte[]> producer, final String topic, final String key,
            final byte[] value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
    }

    private static void await(final BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
