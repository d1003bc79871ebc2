package org.dbmstream.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.record.CheckedChunkValueSerde;

/**
 * What Kafka Streams itself costs on this machine, with the destination's own properties
 * (exactly_once_v2, commit interval, buffers, fetch sizes): an application that reads the chunks
 * topic as bytes and does nothing ({@link Mode#NOOP}); one that reads it with the destination's own key
 * and value serdes ({@code DbmSerdes.chunkKey}, {@link CheckedChunkValueSerde}: Avro decoding and
 * QEMU's chunk checks) and does nothing else ({@link Mode#DECODE}: the least any destination reading
 * this record format with Kafka Streams pays); and one that puts every record into a persistent,
 * changelogged RocksDB store under its own offset ({@link Mode#STORE}: the least a Kafka Streams
 * application that must not lose a chunk does). Timed from the first records polled
 * ({@link FirstRecordsMark}) until the last record was processed, without waiting for its commit, so
 * these floors are if anything optimistic.
 */
final class StreamsFloorRun {

    /** The floors. */
    enum Mode { NOOP, DECODE, STORE }

    private static final String STORE = "floor-chunks";

    private StreamsFloorRun() {
    }

    /** Processes {@code expected} records of {@code topic}; returns nanoseconds from the first records polled. */
    static long run(Mode mode, String topic, long expected, DestinationConfig destination, Path stateDir,
            Duration timeout) {
        AtomicLong seen = new AtomicLong();
        AtomicLong doneAt = new AtomicLong();
        StreamsBuilder builder = new StreamsBuilder();
        if (mode == Mode.STORE) {
            builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
                    Serdes.Bytes(), Serdes.ByteArray()));
        }
        String[] stores = mode == Mode.STORE ? new String[] {STORE} : new String[0];
        if (mode == Mode.DECODE) {
            Map<String, Object> serdeConfig = destination.serdeConfig();
            builder.stream(topic, Consumed.with(DbmSerdes.chunkKey(serdeConfig), new CheckedChunkValueSerde(serdeConfig)))
                    .process(() -> new Counting<>(mode, seen, expected, doneAt), stores);
        } else {
            builder.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                    .process(() -> new Counting<>(mode, seen, expected, doneAt), stores);
        }
        Properties p = new Properties();
        p.putAll(destination.streamsProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG,
                "bench-floor-" + mode.name().toLowerCase(java.util.Locale.ROOT) + "-" + System.nanoTime());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.putAll(FirstRecordsMark.streamsProperties());
        String applicationId = p.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        try (KafkaStreams streams = new KafkaStreams(builder.build(), p)) {
            streams.start();
            long startedAt = FirstRecordsMark.await(applicationId, timeout, () -> {
                if (streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("Kafka Streams floor (" + mode + ") failed");
                }
            });
            long deadline = System.nanoTime() + timeout.toNanos();
            // doneAt is set just after the last count: wait for it, not only for the count
            while (seen.get() < expected || doneAt.get() == 0) {
                if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("Kafka Streams floor (" + mode + ") processed " + seen.get()
                            + " of " + expected + " records of " + topic + " (" + streams.state() + ")");
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return doneAt.get() - startedAt;
        }
    }

    /** Counts records; in {@link Mode#STORE} first puts each under its offset (each task has its own store). */
    private static final class Counting<K, V> implements Processor<K, V, Void, Void> {
        private final Mode mode;
        private final AtomicLong seen;
        private final long expected;
        private final AtomicLong doneAt;
        private KeyValueStore<Bytes, byte[]> store;
        private ProcessorContext<Void, Void> context;

        Counting(Mode mode, AtomicLong seen, long expected, AtomicLong doneAt) {
            this.mode = mode;
            this.seen = seen;
            this.expected = expected;
            this.doneAt = doneAt;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            if (mode == Mode.STORE) {
                store = context.getStateStore(STORE);
            }
        }

        @Override
        public void process(Record<K, V> record) {
            if (store != null && record.value() != null) {
                long offset = context.recordMetadata().map(m -> m.offset()).orElse(-1L);
                store.put(Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(offset).array()), (byte[]) record.value());
            }
            if (seen.incrementAndGet() == expected) {
                doneAt.set(System.nanoTime());
            }
        }
    }
}
