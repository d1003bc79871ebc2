package org.dbmstream.topology.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.store.StoreNames;
import org.dbmstream.topology.store.StoredBitmaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries see committed state only (issue 9): with the destination's defaults under exactly_once_v2
 * (transactional state stores, read-committed interactive queries) and a commit interval longer than the
 * test, a bitmap's BITS chunks are loaded (the destination's chunks-loaded count says so) while the query view
 * ({@link StoredBitmaps}, the one the query API reads) still answers the committed state: the started
 * bitmap without bits. COMPLETE asks for a commit (its event), and then the query view holds QEMU's bits.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ReadCommittedQueryIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PREFIX = "rc.";
    private static final long DISK = 4L << 20;

    @Test
    void aQuerySeesNoBitsUntilTheirTransactionCommits(KafkaBroker broker, @TempDir Path state) throws Exception {
        DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), state)
                .withApplicationId("dest-rc").withTopicPrefix(PREFIX)
                // No write-back buffer: every write reaches the RocksDB store at once, as writes that overflow
                // the buffer do (a large bitmap's bits); only the stores' transactions keep them from queries.
                .withExtra(Map.of(DestinationConfig.TOPIC_PARTITIONS, "1", "commit.interval.ms", "60000",
                        "producer.transaction.timeout.ms", "90000", StoreNames.WRITE_BUFFER_BYTES, "0"));
        DirtyBitmap bits = new DirtyBitmap(DISK, Granularity.of(4096));
        bits.markDirty(0, 65536);
        bits.markDirty(3L << 20, 4096);

        try (DestinationApp app = new DestinationApp(config).start();
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(broker.clientProperties(),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            assertThat(app.awaitRunning(WAIT)).isTrue();
            Chunks pub = new Chunks(producer);
            pub.spec("m1", "vm1");
            pub.chunk("m1", Chunk.Start.of("disk0", "b0", Granularity.of(4096), true, false, DISK));
            producer.flush();
            // START's event commits: the query view shows the loading bitmap
            await(() -> committed(app).isPresent());

            double loadedBefore = chunksLoaded(app.streams());
            int sent = 0;
            for (Chunk.Bits b : new BitmapChunker(bits, "disk0", "b0")) {
                pub.chunk("m1", b);
                sent++;
            }
            producer.flush();
            // every BITS chunk loaded into the stores, none committed (1 min commit interval, and no event
            // asks for an early one)
            double expected = loadedBefore + sent;
            await(() -> chunksLoaded(app.streams()) >= expected);
            assertThat(bitsEntries(app.streams(), IsolationLevel.READ_COMMITTED)).isZero();
            StoredBitmaps.Stored loading = committed(app).orElseThrow();
            assertThat(dirtyBits(app, loading)).isZero();
            assertThat(loading.state().sha256()).isNull();

            pub.chunk("m1", new Chunk.Complete("disk0", "b0"));
            producer.flush();
            // COMPLETE's event commits the bits with it
            await(() -> committed(app).map(s -> s.state().sha256() != null).orElse(false));
            StoredBitmaps.Stored done = committed(app).orElseThrow();
            assertThat(done.state().sha256()).isEqualTo(bits.sha256());
            assertThat(dirtyBits(app, done)).isEqualTo(bits.count() / 4096);
        }
    }

    /** The bitmap as the query API reads it (IQv1: the application's default isolation level). */
    private static Optional<StoredBitmaps.Stored> committed(DestinationApp app) {
        try {
            return StoredBitmaps.of(app.streams()).find("vm1", "disk0", "b0");
        } catch (InvalidStateStoreException e) {
            return Optional.empty(); // not queryable yet (rebalancing)
        }
    }

    private static long dirtyBits(DestinationApp app, StoredBitmaps.Stored bitmap) {
        long[] n = {0};
        StoredBitmaps.of(app.streams()).forEachRange(bitmap.key(), (first, bytes) -> {
            for (byte b : bytes) {
                n[0] += Integer.bitCount(b & 0xff);
            }
        });
        return n[0];
    }

    /** The destination's own count of chunks loaded (sensor {@code chunks-loaded}), over its tasks. */
    private static double chunksLoaded(KafkaStreams streams) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("chunks-loaded-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    /** Entries of the bits store, through IQv2 at {@code level}. */
    private static long bitsEntries(KafkaStreams streams, IsolationLevel level) {
        StateQueryResult<KeyValueIterator<Bytes, byte[]>> result = streams.query(
                StateQueryRequest.inStore(StoreNames.BITS).withQuery(RangeQuery.<Bytes, byte[]>withNoBounds())
                        .withIsolationLevel(level));
        long n = 0;
        for (QueryResult<KeyValueIterator<Bytes, byte[]>> partition : result.getPartitionResults().values()) {
            if (!partition.isSuccess()) {
                return -1;
            }
            try (KeyValueIterator<Bytes, byte[]> it = partition.getResult()) {
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
            }
        }
        return n;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %s", WAIT).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Writes a spec and chunks as a source does. */
    private record Chunks(KafkaProducer<byte[], byte[]> producer, Map<ChunkKey, Long> sequences) {
        Chunks(KafkaProducer<byte[], byte[]> producer) {
            this(producer, new java.util.HashMap<>());
        }

        void spec(String migration, String target) {
            String topic = PREFIX + "migrations";
            producer.send(new ProducerRecord<>(topic, migration.getBytes(StandardCharsets.UTF_8),
                    DbmSerdes.migrationSpec(Map.of()).serialize(topic,
                            new MigrationSpec(migration, target, null, null, Instant.now(), false))));
        }

        void chunk(String migration, Chunk chunk) {
            String topic = PREFIX + "chunks";
            ChunkKey key = ChunkRecords.keyOf(migration, chunk);
            long seq = sequences.merge(key, 1L, Long::sum) - 1;
            producer.send(new ProducerRecord<>(topic, DbmSerdes.chunkKey(Map.of()).serialize(topic, key),
                    DbmSerdes.chunkValue(Map.of()).serialize(topic, ChunkRecords.toAvro(chunk, seq, "it"))));
        }
    }
}
