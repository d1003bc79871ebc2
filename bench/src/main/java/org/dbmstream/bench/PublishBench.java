package org.dbmstream.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublishResult;
import org.dbmstream.source.PublisherSettings;

/**
 * {@code dbm bench publish}: on one in-process broker, publishes a migration of one in-memory bitmap of
 * 1x, 4x and 16x a base size with our publisher (the one {@code dbm migrate} uses, its default settings),
 * reads the chunk records back, and sends exactly those bytes again with a plain {@link KafkaProducer}
 * configured like ours (acks, idempotence, compression, batching, and transactions when ours has them:
 * then all records in one transaction) to a topic with the same partitions.
 *
 * <p>Both sides are timed alike: from handing over the first record until every record is acknowledged
 * (our {@code publish} returns after flush, and commit with transactions; the plain side after its
 * flush or commit). Outside both: producer start-up and close, and a first untimed round per size
 * (topic metadata, {@code initTransactions}). Each size is then measured in {@link #ROUNDS} rounds, ours
 * and plain alternating (each in turn first) so that load from other processes hits both, and the
 * best round of each side counts. The bitmap's serialized bytes are made before timing and held in
 * memory (the form in which qcow2 images and raw files hand them to the publisher), so making the bits
 * costs neither side. Prints one JSON line per size and a last summary line with {@code mib_per_s},
 * {@code plain_mib_per_s} (record bytes per second), {@code bitmap_mib_per_s} / {@code plain_bitmap_mib_per_s}
 * (bitmap bytes per second) and {@code ratio} (ours / plain). The sizes run at the chosen chunk width (8 KiB by
 * default), then again at QEMU's 1 KiB, whose figures the summary reports beside them ({@code at_1k}). A
 * benchmark, never a test. See {@code source/README.md} for what the figures mean.
 */
public final class PublishBench {

    /** KiB of the 1x bitmap: QEMU's 1 KiB chunks it would take (fewer at a wider chunk size). */
    public static final int DEFAULT_BASE_CHUNKS = 4096;
    /** Timed rounds per size (ours and plain, in turn first); the best of each side counts. */
    static final int ROUNDS = 5;
    private static final int[] FACTORS = {1, 4, 16};
    private static final int PARTITIONS = 3;
    private static final Granularity GRANULARITY = Granularity.of(64 * 1024);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private PublishBench() {
    }

    /** Entry point. Arguments, all optional: KiB of the 1x bitmap, then {@code transactional}, then a chunk size. */
    public static void main(String[] args) throws Exception {
        int base = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_BASE_CHUNKS;
        boolean transactional = args.length > 1 && args[1].equals("transactional");
        ChunkSize width = args.length > 2 ? ChunkSize.parse(args[2]) : ChunkSize.KAFKA_DEFAULT;
        run(base, transactional, width, System.out);
    }

    /**
     * Runs the benchmark, printing JSON lines to {@code out}.
     *
     * @param baseChunks    KiB of the 1x bitmap (QEMU's chunks it would take)
     * @param transactional publish each migration in one transaction (as {@code dbm migrate --transactional})
     * @param width         bitmap per BITS chunk; the sizes run again at QEMU's 1 KiB unless that is it
     * @return the summary object (also the last line printed)
     */
    public static Map<String, Object> run(int baseChunks, boolean transactional, ChunkSize width, PrintStream out)
            throws Exception {
        if (baseChunks < 1) {
            throw new IllegalArgumentException("base chunk count must be at least 1: " + baseChunks);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> qemuRows = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
            // an untimed 1x size first, all rounds: JIT and broker warm-up are charged to neither side
            Map<String, Object> warmup = runSize(broker, 0, baseChunks, transactional, ROUNDS, width);
            warmup.put("type", "warmup");
            out.println(json(warmup));
            for (ChunkSize w : width.isQemu() ? List.of(width) : List.of(width, ChunkSize.QEMU)) {
                for (int factor : FACTORS) {
                    Map<String, Object> row = runSize(broker, factor, (long) baseChunks * factor, transactional,
                            ROUNDS, w);
                    (w == width ? rows : qemuRows).add(row);
                    out.println(json(row));
                }
            }
        }
        Map<String, Object> summary = summarize(rows, transactional);
        summary.put("chunk_size", width.toString());
        if (!qemuRows.isEmpty()) {
            Map<String, Object> qemu = summarize(qemuRows, transactional);
            summary.put("at_1k", qemu);
            summary.put("bitmap_mib_per_s_over_1k", round(((Number) summary.get("bitmap_mib_per_s")).doubleValue()
                    / ((Number) qemu.get("bitmap_mib_per_s")).doubleValue()));
        }
        out.println(json(summary));
        return summary;
    }

    private static Map<String, Object> runSize(EmbeddedKafkaBroker broker, int factor, long chunks,
            boolean transactional, int rounds, ChunkSize width) {
        Topics topics = new Topics("pub" + factor + "-" + width + ".");
        String plainTopic = topics.prefix() + "plain";
        broker.createTopics(PARTITIONS, topics.chunks(), plainTopic);
        broker.createTopic(topics.migrations(), PARTITIONS, Map.of("cleanup.policy", "compact"));
        SerializedBitmap bits = materialize(new SyntheticBitmap(chunks * 8192L * GRANULARITY.bytes(), GRANULARITY,
                factor + 1));
        MigrationRequest request = MigrationRequest.builder().migrationId("bench-" + factor + "x-" + width)
                .target("bench").chunkSize(width).input(new MigrationInput.InMemoryBitmap("disk0", "bench", bits, true, true)).build();
        PublisherSettings settings = PublisherSettings.builder(broker.bootstrapServers()).topics(topics)
                .sourceId("bench-" + factor).transactional(transactional).build();

        long[] ours = new long[rounds];
        long[] plain = new long[rounds];
        List<RecordCapture.Bytes> records;
        PublishResult result;
        try (MigrationPublisher publisher = new MigrationPublisher(settings);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(plainConfig(settings))) {
            // an untimed round first: the topics' metadata, and with transactions the producer ids
            // (initTransactions), are fetched by both sides before timing
            result = publisher.publish(request, PublishListener.NONE);
            // the spec went to the migrations topic; everything else is on chunks
            records = RecordCapture.readAll(broker.bootstrapServers(), topics.chunks(), result.records() - 1, TIMEOUT);
            if (transactional) {
                producer.initTransactions();
            }
            sendPlain(producer, plainTopic, records, transactional);
            for (int round = 0; round < rounds; round++) {
                // odd rounds run the plain side first, so neither side always follows the other
                boolean plainFirst = round % 2 == 1;
                if (plainFirst) {
                    plain[round] = sendPlain(producer, plainTopic, records, transactional);
                }
                // the same migration each round: the same record bytes, so the plain side sends them again
                long t0 = System.nanoTime();
                result = publisher.publish(request, PublishListener.NONE);
                ours[round] = System.nanoTime() - t0;
                if (!plainFirst) {
                    plain[round] = sendPlain(producer, plainTopic, records, transactional);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long bytes = records.stream().mapToLong(RecordCapture.Bytes::size).sum();
        long bestOurs = min(ours);
        long bestPlain = min(plain);
        double mib = bytes / (1024.0 * 1024);
        Map<String, Object> row = new LinkedHashMap<>();
        double bitmapMib = bits.bitCount() / 8.0 / (1024 * 1024);
        row.put("type", "size");
        row.put("factor", factor);
        row.put("chunk_size", width.toString());
        row.put("records", records.size());
        row.put("record_mib", round(mib));
        row.put("bitmap_mib", round(bitmapMib));
        row.put("rounds", rounds);
        row.put("mib_per_s", round(mib / (bestOurs / 1e9)));
        row.put("plain_mib_per_s", round(mib / (bestPlain / 1e9)));
        row.put("bitmap_mib_per_s", round(bitmapMib / (bestOurs / 1e9)));
        row.put("plain_bitmap_mib_per_s", round(bitmapMib / (bestPlain / 1e9)));
        row.put("ratio", round((double) bestPlain / bestOurs));
        row.put("records_per_s", round(records.size() / (bestOurs / 1e9)));
        row.put("plain_records_per_s", round(records.size() / (bestPlain / 1e9)));
        row.put("median_ratio", round((double) median(plain) / median(ours)));
        row.put("ours_ms", millis(ours));
        row.put("plain_ms", millis(plain));
        row.put("publisher_reported_ms", round(result.elapsedNanos() / 1e6));
        return row;
    }

    /** Our producer's settings under another client id (and its own transactional id, if any). */
    private static Map<String, Object> plainConfig(PublisherSettings ours) {
        Map<String, Object> config = new HashMap<>(ours.producerConfig());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-plain");
        if (ours.transactional()) {
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ours.transactionalId() + "-plain");
        }
        return config;
    }

    /**
     * Sends the records and waits for all acknowledgements (in one transaction, committed, when
     * {@code transactional}); returns the nanoseconds taken.
     */
    private static long sendPlain(KafkaProducer<byte[], byte[]> producer, String topic,
            List<RecordCapture.Bytes> records, boolean transactional) {
        long t0 = System.nanoTime();
        if (transactional) {
            producer.beginTransaction();
        }
        for (RecordCapture.Bytes r : records) {
            producer.send(new ProducerRecord<>(topic, r.key(), r.value()));
        }
        if (transactional) {
            producer.commitTransaction(); // flushes first
        } else {
            producer.flush();
        }
        return System.nanoTime() - t0;
    }

    /**
     * The synthetic bitmap's serialized bytes, held in memory. The publisher's real inputs (qcow2 images,
     * raw bitmap files) hand it the bitmap in this very form, copied from the page cache; holding it in an
     * array keeps the cost of producing the bits out of both sides.
     */
    private static SerializedBitmap materialize(SyntheticBitmap synthetic) {
        long size = DirtyBitmap.serializationSize(0, synthetic.bitCount());
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a " + size + "-byte bitmap does not fit one array: use fewer chunks");
        }
        byte[] bytes = new byte[(int) size];
        synthetic.serializeInto(0, synthetic.bitCount(), bytes, 0);
        return new InMemorySerialized(synthetic.diskSize(), synthetic.granularity(), bytes);
    }

    /** A serialized bitmap in one array: serializing a range is a copy. */
    private record InMemorySerialized(long diskSize, Granularity granularity, byte[] bytes)
            implements SerializedBitmap {
        @Override
        public void serializeInto(long firstBit, long bits, byte[] dst, int offset) {
            int len = (int) DirtyBitmap.serializationSize(firstBit, bits);
            System.arraycopy(bytes, (int) (firstBit >>> 3), dst, offset, len);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summarize(List<Map<String, Object>> rows, boolean transactional) {
        double mib = 0;
        double bitmapMib = 0;
        double ours = 0;
        double plain = 0;
        double medianOurs = 0;
        double medianPlain = 0;
        for (Map<String, Object> r : rows) {
            medianOurs += median((List<Double>) r.get("ours_ms"));
            medianPlain += median((List<Double>) r.get("plain_ms"));
            double m = ((Number) r.get("record_mib")).doubleValue();
            mib += m;
            bitmapMib += ((Number) r.get("bitmap_mib")).doubleValue();
            ours += m / ((Number) r.get("mib_per_s")).doubleValue();
            plain += m / ((Number) r.get("plain_mib_per_s")).doubleValue();
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "summary");
        s.put("bench", "publish");
        s.put("transactional", transactional);
        s.put("partitions", PARTITIONS);
        s.put("rounds", ROUNDS);
        s.put("record_mib", round(mib));
        s.put("mib_per_s", round(mib / ours));
        s.put("plain_mib_per_s", round(mib / plain));
        s.put("bitmap_mib", round(bitmapMib));
        s.put("bitmap_mib_per_s", round(bitmapMib / ours));
        s.put("plain_bitmap_mib_per_s", round(bitmapMib / plain));
        s.put("ratio", round(plain / ours));
        // the same from each side's median round: far from "ratio" when load from elsewhere hit the rounds
        s.put("median_ratio", round(medianPlain / medianOurs));
        return s;
    }

    private static long min(long[] values) {
        long m = Long.MAX_VALUE;
        for (long v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double median(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    private static List<Double> millis(long[] nanos) {
        List<Double> out = new ArrayList<>();
        for (long n : nanos) {
            out.add(round(n / 1e6));
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String json(Map<String, Object> row) throws JsonProcessingException {
        return JSON.writeValueAsString(row);
    }
}
