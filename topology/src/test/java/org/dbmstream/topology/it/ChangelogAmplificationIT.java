package org.dbmstream.topology.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.store.StoreNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21: a running destination loads one large bitmap on one partition, then another on a second
 * partition. Each must reach the bits store's changelog about once per 64 KiB segment (at most twice:
 * a segment a commit cuts in two), not once per chunk. Kafka Streams' record cache failed this: its
 * budget is shared by every task of the stream thread, a put only evicts entries of its own task, and
 * the first bitmap's clean segments filled it, so every chunk of the second evicted its own segment (one
 * 64 KiB changelog record per 1 KiB chunk). The 1 MiB record cache set here made that happen with 2 MiB
 * bitmaps; the destination's stores no longer use that cache, so the setting changes nothing now.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ChangelogAmplificationIT {
    private static final String PREFIX = "it.amp.";
    private static final String APP = "it-amp";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** 2^24 bits at 512 B: a 2 MiB bitmap, 2,048 chunks, 32 segments. */
    private static final long DISK = 8L << 30;

    @TempDir
    Path state;

    @Test
    void bitmapsOnTwoPartitionsInTurnEachReachTheChangelogOncePerSegment(KafkaBroker broker) throws Exception {
        Topics topics = new Topics(PREFIX);
        DestinationInstances.createTopics(broker, PREFIX, 2);
        DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), state)
                .withTopicPrefix(PREFIX).withApplicationId(APP)
                .withExtra(Map.of("statestore.cache.max.bytes", String.valueOf(1 << 20)));
        String changelog = APP + "-" + StoreNames.BITS + "-changelog";
        try (DestinationApp app = new DestinationApp(config).start();
                MigrationWriter writer = new MigrationWriter(broker, topics);
                EventLog events = EventLog.events(broker, topics.events())) {
            assertThat(app.awaitRunning(TIMEOUT)).isTrue();
            Map<TopicPartition, Long> seen = new HashMap<>();
            for (int partition : new int[] {0, 1, 0, 1}) {
                String migration = onPartition(writer, partition, 2);
                DirtyBitmap bits = randomBitmap(migration.hashCode());
                writer.migrate(migration, migration, List.of(new MigrationBitmap("disk0", "b0", false, false, bits)));
                List<Event> done = events.awaitEvents(all -> all.stream().anyMatch(e -> e.getMigration().equals(migration)
                        && e.getBody() instanceof MigrationCompleted), TIMEOUT);
                BitmapCompleted completed = done.stream().filter(e -> e.getMigration().equals(migration))
                        .map(Event::getBody).filter(BitmapCompleted.class::isInstance).map(BitmapCompleted.class::cast)
                        .findFirst().orElseThrow();
                assertThat(completed.getSha256()).isEqualTo(bits.sha256());

                long segments = bits.serializedSize() / (64 * 1024);
                long records = committedSince(broker, changelog, seen);
                assertThat(records).as("bits changelog records of %s (partition %d, %d segments)", migration,
                        partition, segments).isBetween(segments, 2 * segments);
            }
        }
    }

    /** A migration id whose bitmap's chunks land on {@code partition} of {@code partitions}. */
    private static String onPartition(MigrationWriter writer, int partition, int partitions) {
        for (int i = 0;; i++) {
            String id = "amp-" + partition + "-" + i + "-" + System.nanoTime();
            if (Utils.toPositive(Utils.murmur2(writer.key(id, "disk0", "b0"))) % partitions == partition) {
                return id;
            }
        }
    }

    private static DirtyBitmap randomBitmap(long seed) {
        DirtyBitmap bits = new DirtyBitmap(DISK, Granularity.of(512));
        byte[] raw = new byte[(int) bits.serializedSize()];
        new Random(seed).nextBytes(raw);
        bits.deserialize(0, bits.bitCount(), raw);
        return bits;
    }

    /** Committed records of {@code topic} after the offsets in {@code from}, which move to its end. */
    private static long committedSince(KafkaBroker broker, String topic, Map<TopicPartition, Long> from) {
        Properties p = broker.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            parts.forEach(tp -> c.seek(tp, from.getOrDefault(tp, 0L)));
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long count = 0;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("reading %s", topic).isLessThan(deadline);
                count += c.poll(Duration.ofMillis(100)).count();
            }
            from.putAll(end);
            return count;
        }
    }
}
