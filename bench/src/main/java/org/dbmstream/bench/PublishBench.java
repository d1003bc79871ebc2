package org.dbmstream.bench;

import java.io.PrintStream;
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
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublishResult;
import org.dbmstream.source.PublisherSettings;

/**
 * {@code dbm bench publish}: on one in-process broker, publishes a migration of one bitmap of 1x, 4x
 * and 16x a base size with our publisher (the one {@code dbm migrate} uses, its default settings),
 * reads the chunk records back, and sends exactly those bytes again with a plain
 * {@link KafkaProducer} configured like ours (acks, idempotence, compression, batching) to a topic
 * with the same partitions. Prints one JSON line per size and a last summary line with
 * {@code mib_per_s}, {@code plain_mib_per_s} and {@code ratio} (ours / plain). A benchmark, never a test.
 */
public final class PublishBench {

    /** Chunks of the 1x bitmap (each BITS chunk carries up to 1 KiB of bitmap). */
    public static final int DEFAULT_BASE_CHUNKS = 4096;
    private static final int[] FACTORS = {1, 4, 16};
    private static final int PARTITIONS = 3;
    private static final Granularity GRANULARITY = Granularity.of(64 * 1024);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private PublishBench() {
    }

    /** Entry point. Arguments, all optional: chunks of the 1x bitmap, then {@code transactional}. */
    public static void main(String[] args) throws Exception {
        int base = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_BASE_CHUNKS;
        boolean transactional = args.length > 1 && args[1].equals("transactional");
        run(base, transactional, System.out);
    }

    /**
     * Runs the benchmark, printing JSON lines to {@code out}.
     *
     * @param baseChunks    chunks of the 1x bitmap
     * @param transactional publish each migration in one transaction (as {@code dbm migrate --transactional})
     * @return the summary object (also the last line printed)
     */
    public static Map<String, Object> run(int baseChunks, boolean transactional, PrintStream out) throws Exception {
        if (baseChunks < 1) {
            throw new IllegalArgumentException("base chunk count must be at least 1: " + baseChunks);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
            // an untimed 1x round first: JIT and connection set-up are charged to neither side
            Map<String, Object> warmup = runSize(broker, 0, baseChunks, transactional);
            warmup.put("type", "warmup");
            out.println(json(warmup));
            for (int factor : FACTORS) {
                Map<String, Object> row = runSize(broker, factor, (long) baseChunks * factor, transactional);
                rows.add(row);
                out.println(json(row));
            }
        }
        Map<String, Object> summary = summarize(rows, transactional);
        out.println(json(summary));
        return summary;
    }

    private static Map<String, Object> runSize(EmbeddedKafkaBroker broker, int factor, long chunks,
            boolean transactional) {
        Topics topics = new Topics("pub" + factor + ".");
        String plainTopic = topics.prefix() + "plain";
        broker.createTopics(PARTITIONS, topics.chunks(), plainTopic);
        broker.createTopic(topics.migrations(), PARTITIONS, Map.of("cleanup.policy", "compact"));
        SyntheticBitmap bits = new SyntheticBitmap(chunks * 8192L * GRANULARITY.bytes(), GRANULARITY, factor + 1);

        PublisherSettings settings = PublisherSettings.builder(broker.bootstrapServers()).topics(topics)
                .sourceId("bench-" + factor).transactional(transactional).build();
        long t0 = System.nanoTime();
        PublishResult result;
        try (MigrationPublisher publisher = new MigrationPublisher(settings)) {
            result = publisher.publish(MigrationRequest.builder().migrationId("bench-" + factor + "x").target("bench")
                    .input(new MigrationInput.InMemoryBitmap("disk0", "bench", bits, true, true)).build(),
                    PublishListener.NONE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long oursNanos = System.nanoTime() - t0;

        // the spec went to the migrations topic; everything else is on chunks
        List<RecordCapture.Bytes> records = RecordCapture.readAll(broker.bootstrapServers(), topics.chunks(),
                result.records() - 1, TIMEOUT);
        long bytes = records.stream().mapToLong(RecordCapture.Bytes::size).sum();
        long plainNanos = sendPlain(settings, plainTopic, records);

        double mib = bytes / (1024.0 * 1024);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("type", "size");
        row.put("factor", factor);
        row.put("records", records.size());
        row.put("record_mib", round(mib));
        row.put("bitmap_mib", round(bits.bitCount() / 8.0 / (1024 * 1024)));
        row.put("mib_per_s", round(mib / (oursNanos / 1e9)));
        row.put("plain_mib_per_s", round(mib / (plainNanos / 1e9)));
        row.put("ratio", round((double) plainNanos / oursNanos));
        row.put("records_per_s", round(records.size() / (oursNanos / 1e9)));
        row.put("plain_records_per_s", round(records.size() / (plainNanos / 1e9)));
        row.put("publisher_reported_ms", round(result.elapsedNanos() / 1e6));
        return row;
    }

    /** The same records through a plain producer with our producer's settings, minus transactions. */
    private static long sendPlain(PublisherSettings ours, String topic, List<RecordCapture.Bytes> records) {
        Map<String, Object> config = new HashMap<>(ours.producerConfig());
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.remove(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-plain");
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (RecordCapture.Bytes r : records) {
                producer.send(new ProducerRecord<>(topic, r.key(), r.value()));
            }
            producer.flush();
            return System.nanoTime() - t0;
        }
    }

    private static Map<String, Object> summarize(List<Map<String, Object>> rows, boolean transactional) {
        double mib = 0;
        double ours = 0;
        double plain = 0;
        for (Map<String, Object> r : rows) {
            double m = ((Number) r.get("record_mib")).doubleValue();
            mib += m;
            ours += m / ((Number) r.get("mib_per_s")).doubleValue();
            plain += m / ((Number) r.get("plain_mib_per_s")).doubleValue();
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "summary");
        s.put("bench", "publish");
        s.put("transactional", transactional);
        s.put("partitions", PARTITIONS);
        s.put("record_mib", round(mib));
        s.put("mib_per_s", round(mib / ours));
        s.put("plain_mib_per_s", round(mib / plain));
        s.put("ratio", round(plain / ours));
        return s;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String json(Map<String, Object> row) throws JsonProcessingException {
        return JSON.writeValueAsString(row);
    }
}
