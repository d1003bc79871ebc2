package org.dbmstream.topology.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.chunk.MigrationSequencer;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapStarted;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.testkit.CapturedLogs;
import org.dbmstream.topology.DeadLetterLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination application on a real broker, exactly-once, chunks topic of 3 partitions with one
 * migration's bitmaps on every partition: a cancel raised on one partition drops the unfinished bitmaps
 * on the others and later chunks change nothing, while another migration completes; a poison pill goes
 * to the dead-letter topic with the error in headers; a bitmap name taken on a target is refused to a
 * later migration whose chunks land on another partition.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DestinationAppIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 3;
    private static final long DISK = 4L << 20;

    @Test
    void cancelReachesEveryPartitionWhileAnotherMigrationCompletes(KafkaBroker broker, @TempDir Path state)
            throws Exception {
        DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), state)
                .withApplicationId("dest-it").withTopicPrefix("it.")
                .withExtra(Map.of(DestinationConfig.TOPIC_PARTITIONS, String.valueOf(PARTITIONS),
                        "commit.interval.ms", "100"));
        List<String> names = bitmapNamesOnEveryPartition();
        DirtyBitmap bits = new DirtyBitmap(DISK, Granularity.of(4096));
        bits.markDirty(0, 65536);
        bits.markDirty(3L << 20, 4096);

        try (CapturedLogs logs = DeadLetterLogs.capture();
                DestinationApp app = new DestinationApp(config).start();
                Publisher pub = new Publisher(broker);
                Events events = new Events(broker, "it.events")) {
            assertThat(app.awaitRunning(WAIT)).isTrue();
            pub.spec("good", "vm1");
            pub.spec("bad", "vm2");
            List<MigrationBitmap> sent = names.stream().map(n -> new MigrationBitmap("disk0", n, true, false, bits))
                    .toList();
            List<Chunk> good = new ArrayList<>();
            MigrationSequencer seq = new MigrationSequencer(sent);
            seq.setup(good::add);
            seq.complete(good::add);

            // bad: every bitmap started and its bits sent, on every partition
            for (String n : names) {
                pub.chunk("bad", Chunk.Start.of("disk0", n, Granularity.of(4096), true, false, DISK));
                for (Chunk.Bits b : new BitmapChunker(bits, "disk0", n)) {
                    pub.chunk("bad", b);
                }
            }
            pub.chunks("good", good.subList(0, good.size() / 2));
            pub.flush();
            events.await(e -> count(e, "bad", BitmapStarted.class) == names.size());
            // the error, on one partition
            pub.chunk("bad", new Chunk.Complete("disk0", "never-started"));
            pub.raw("not a key".getBytes(StandardCharsets.UTF_8), "not a chunk".getBytes(StandardCharsets.UTF_8));
            pub.flush();
            events.await(e -> count(e, "bad", MigrationCancelled.class) == 1
                    && count(e, "bad", BitmapCancelled.class) == names.size());
            // later chunks of the cancelled migration: nothing may change
            for (String n : names) {
                pub.chunk("bad", new Chunk.Complete("disk0", n));
            }
            pub.chunk("bad", new Chunk.EndOfStream(sent.stream().map(MigrationBitmap::ref).toList()));
            pub.chunks("good", good.subList(good.size() / 2, good.size()));
            pub.flush();
            List<Event> all = events.await(e -> count(e, "good", MigrationCompleted.class) == 1);
            List<Event> settled = events.quiet(Duration.ofSeconds(2));

            assertThat(count(settled, "bad", BitmapCompleted.class)).isZero();
            assertThat(count(settled, "bad", MigrationCancelled.class)).isEqualTo(1);
            assertThat(count(settled, "bad", MigrationCompleted.class)).isZero();
            assertThat(settled.stream().filter(e -> e.getMigration().equals("bad"))
                    .map(e -> e.getBody().getClass().getSimpleName()).distinct())
                    .containsExactlyInAnyOrder("BitmapStarted", "BitmapCancelled", "MigrationCancelled");
            assertThat(all.stream().filter(e -> e.getMigration().equals("good") && e.getBody() instanceof BitmapCompleted)
                    .map(e -> ((BitmapCompleted) e.getBody()).getSha256())).hasSize(names.size())
                    .containsOnly(bits.sha256());
            List<ConsumerRecord<byte[], byte[]>> dead = Events.raw(broker, "it.dlq", 1);
            assertThat(dead.get(0).value()).isEqualTo("not a chunk".getBytes(StandardCharsets.UTF_8));
            assertThat(dead.get(0).headers().lastHeader("__streams.errors.exception")).isNotNull();
            assertThat(DeadLetterLogs.lines(logs)).singleElement().asString().startsWith("Record it.chunks-")
                    .contains(" of no readable migration sent to the dead-letter topic it.dlq (skipped, loading goes "
                            + "on): topic 'it.chunks': cannot decode 9-byte ChunkKey record");
        }
    }

    @Test
    void secondMigrationOfATakenNameFailsOnAnotherPartition(KafkaBroker broker, @TempDir Path state) throws Exception {
        DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), state)
                .withApplicationId("dest-dup").withTopicPrefix("dup.")
                .withExtra(Map.of(DestinationConfig.TOPIC_PARTITIONS, String.valueOf(PARTITIONS)));
        var keySerde = DbmSerdes.chunkKey(Map.of());
        int first = partition(keySerde.serialize("dup.chunks", new ChunkKey("dup-0", "disk0", "b0")));
        String second = null;
        for (int i = 1; second == null; i++) {
            if (partition(keySerde.serialize("dup.chunks", new ChunkKey("dup-" + i, "disk0", "b0"))) != first) {
                second = "dup-" + i;
            }
        }
        DirtyBitmap bits = new DirtyBitmap(DISK, Granularity.of(65536));
        bits.markDirty(0, 65536);
        List<Chunk> chunks = new ArrayList<>();
        MigrationSequencer seq = new MigrationSequencer(List.of(new MigrationBitmap("disk0", "b0", true, true, bits)));
        seq.setup(chunks::add);
        seq.complete(chunks::add);
        try (DestinationApp app = new DestinationApp(config).start();
                Publisher pub = new Publisher(broker, "dup.");
                Events events = new Events(broker, "dup.events")) {
            assertThat(app.awaitRunning(WAIT)).isTrue();
            pub.spec("dup-0", "vm1");
            pub.chunks("dup-0", chunks);
            pub.flush();
            events.await(e -> count(e, "dup-0", MigrationCompleted.class) == 1);
            pub.spec(second, "vm1");
            pub.chunks(second, chunks);
            pub.flush();
            String dup = second;
            List<Event> all = events.await(e -> count(e, dup, MigrationFailed.class)
                    + count(e, dup, MigrationCompleted.class) > 0);
            assertThat(all.stream().filter(e -> e.getMigration().equals(dup) && e.getBody() instanceof MigrationFailed)
                    .map(e -> ((MigrationFailed) e.getBody()).getReason()))
                    .containsExactly("Bitmap with the same name ('b0') already exists on destination");
            assertThat(count(events.quiet(Duration.ofSeconds(1)), dup, BitmapCompleted.class)).isZero();
        }
    }

    private static long count(List<Event> events, String migration, Class<?> type) {
        return events.stream().filter(e -> e.getMigration().equals(migration) && type.isInstance(e.getBody())).count();
    }

    /** Bitmap aliases such that the cancelled migration's chunk keys land on every partition. */
    private static List<String> bitmapNamesOnEveryPartition() {
        var keySerde = DbmSerdes.chunkKey(Map.of());
        Map<Integer, String> byPartition = new HashMap<>();
        for (int i = 0; byPartition.size() < PARTITIONS; i++) {
            String name = "bmap" + i;
            byPartition.putIfAbsent(partition(keySerde.serialize("it.chunks", new ChunkKey("bad", "disk0", name))), name);
        }
        return List.copyOf(byPartition.values());
    }

    private static int partition(byte[] key) {
        return Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
    }

    /** Writes specs and chunks as a source would. */
    private static final class Publisher implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Map<ChunkKey, Long> sequences = new HashMap<>();

        private final String prefix;

        Publisher(KafkaBroker broker) {
            this(broker, "it.");
        }

        Publisher(KafkaBroker broker, String prefix) {
            this.prefix = prefix;
            this.producer = new KafkaProducer<>(broker.clientProperties(), new ByteArraySerializer(),
                    new ByteArraySerializer());
        }

        void spec(String migration, String target) {
            byte[] value = DbmSerdes.migrationSpec(Map.of()).serialize(prefix + "migrations",
                    new MigrationSpec(migration, target, null, null, Instant.now(), false));
            producer.send(new ProducerRecord<>(prefix + "migrations", migration.getBytes(StandardCharsets.UTF_8),
                    value));
        }

        void chunk(String migration, Chunk chunk) {
            ChunkKey key = ChunkRecords.keyOf(migration, chunk);
            long seq = sequences.merge(key, 1L, Long::sum) - 1;
            String topic = prefix + "chunks";
            producer.send(new ProducerRecord<>(topic, DbmSerdes.chunkKey(Map.of()).serialize(topic, key),
                    DbmSerdes.chunkValue(Map.of()).serialize(topic, ChunkRecords.toAvro(chunk, seq, "it"))));
        }

        void chunks(String migration, List<Chunk> chunks) {
            chunks.forEach(c -> chunk(migration, c));
        }

        void raw(byte[] key, byte[] value) {
            producer.send(new ProducerRecord<>(prefix + "chunks", key, value));
        }

        void flush() {
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /** Reads the events topic with read_committed from the beginning. */
    private static final class Events implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<Event> seen = new ArrayList<>();

        Events(KafkaBroker broker, String topic) {
            consumer = consumer(broker);
            List<TopicPartition> parts = consumer.partitionsFor(topic, WAIT).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        List<Event> await(Predicate<List<Event>> done) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(seen)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out; events so far: " + seen);
                }
                poll();
            }
            return List.copyOf(seen);
        }

        List<Event> quiet(Duration d) {
            long end = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < end) {
                poll();
            }
            return List.copyOf(seen);
        }

        private void poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                seen.add(DbmSerdes.event(Map.of()).deserialize(r.topic(), r.value()));
            }
        }

        static List<ConsumerRecord<byte[], byte[]>> raw(KafkaBroker broker, String topic, int n) {
            try (KafkaConsumer<byte[], byte[]> c = consumer(broker)) {
                List<TopicPartition> parts = c.partitionsFor(topic, WAIT).stream()
                        .map(i -> new TopicPartition(topic, i.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (out.size() < n && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(out::add);
                }
                assertThat(out).as("records on %s", topic).hasSizeGreaterThanOrEqualTo(n);
                return out;
            }
        }

        private static KafkaConsumer<byte[], byte[]> consumer(KafkaBroker broker) {
            Properties p = broker.clientProperties();
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
