package org.dbmstream.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.streams.KafkaStreams;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;

/**
 * {@code dbm bench steady}: one destination, started once and warmed up, receives a sustained stream of
 * migrations, as a fleet's destination does: {@code vms} migrations of 2 bitmaps of a 1 TiB disk at 64 KiB
 * granularity (2,048 chunks each) shaped like real dirty bitmaps ({@link ClusteredBitmap}: runs of dirty
 * clusters, most chunks ZEROES), then a dense worst case. Per case:
 * <ul>
 * <li>throughput: every migration published back to back while the destination runs; chunks/s from the
 *   first chunk sent to the last MigrationCompleted readable;</li>
 * <li>latency: migrations one at a time, each from its last chunk acknowledged by the broker to its
 *   MigrationCompleted readable ({@code read_committed}): p50, p99, max. What a migration pays in a
 *   running destination beyond its chunks (spec trip, commits).</li>
 * </ul>
 * After the cases, a plain consumer tuned like the destination's and a Kafka Streams application doing
 * nothing read the whole chunks topic (the same records); {@code ratio} = the destination's chunks/s over
 * the faster of the two. A benchmark, never a test: nothing here asserts a time.
 */
public final class SteadyBench {
    /** Migrations (VMs) of the realistic case. */
    public static final int DEFAULT_VMS = 200;
    /** Migrations of the dense case (each 4,096 BITS chunks of 1 KiB, none ZEROES). */
    public static final int DEFAULT_DENSE_VMS = 50;
    /** Migrations timed one at a time per case. */
    public static final int DEFAULT_LATENCY_MIGRATIONS = 40;
    private static final int BITMAPS_PER_VM = 2;
    private static final long CHUNKS_PER_BITMAP = 2048;
    private static final int DIRTY_PERCENT = 10;
    private static final int PARTITIONS = 3;
    private static final int WARMUP_MIGRATIONS = 5;
    private static final Granularity GRANULARITY = Granularity.of(64 * 1024);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SteadyBench() {
    }

    /** Entry point: {@code [vms [dense_vms [latency_migrations]]]}. */
    public static void main(String[] args) throws Exception {
        int vms = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_VMS;
        int dense = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_DENSE_VMS;
        int latency = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_LATENCY_MIGRATIONS;
        run(vms, dense, latency, System.out);
    }

    /** Runs the benchmark, printing JSON lines to {@code out}; returns the summary (the last line). */
    public static Map<String, Object> run(int vms, int denseVms, int latencyMigrations, PrintStream out)
            throws Exception {
        if (vms < 1 || denseVms < 0 || latencyMigrations < 1) {
            throw new IllegalArgumentException("need vms >= 1, dense vms >= 0, latency migrations >= 1");
        }
        Path work = Files.createTempDirectory("dbm-bench-steady-");
        Topics topics = new Topics("steady.");
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
            broker.createTopics(PARTITIONS, topics.chunks(), topics.events(), topics.writes(), topics.dlq(),
                    topics.prefix() + DestinationConfig.CONTROL_TOPIC);
            broker.createTopic(topics.migrations(), PARTITIONS, Map.of("cleanup.policy", "compact"));
            String bootstrap = broker.bootstrapServers();
            DestinationConfig config = TopologyRun.config(bootstrap, topics, work.resolve("destination"), Map.of());
            long totalRecords = 0;
            try (CompletionWatch watch = new CompletionWatch(bootstrap, topics.events());
                 ChunkPublisher publisher = new ChunkPublisher(bootstrap, topics);
                 DestinationApp app = new DestinationApp(config)) {
                app.start();
                Fleet warm = new Fleet("warmup", 10, publisher, watch, app);
                totalRecords += warm.oneAtATime(WARMUP_MIGRATIONS).records;
                for (Fleet fleet : List.of(new Fleet("realistic", DIRTY_PERCENT, publisher, watch, app),
                        new Fleet("dense", 100, publisher, watch, app))) {
                    int count = fleet.name.equals("dense") ? denseVms : vms;
                    if (count == 0) {
                        continue;
                    }
                    Fleet.Throughput t = fleet.backToBack(count);
                    Fleet.Latency l = fleet.oneAtATime(latencyMigrations);
                    totalRecords += t.records + l.records;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("type", fleet.name);
                    row.put("migrations", count);
                    row.put("bitmaps_per_migration", BITMAPS_PER_VM);
                    row.put("chunks_per_bitmap", CHUNKS_PER_BITMAP);
                    row.put("chunks", t.records);
                    row.put("bits_chunks_with_payload", t.payloadChunks);
                    row.put("chunks_per_s", round(t.records / (t.nanos / 1e9)));
                    row.put("publish_chunks_per_s", round(t.records / (t.publishNanos / 1e9)));
                    row.put("latency_migrations", latencyMigrations);
                    row.put("p50_ms", round(l.percentileMs(50)));
                    row.put("p99_ms", round(l.percentileMs(99)));
                    row.put("max_ms", round(l.percentileMs(100)));
                    row.put("backlog_latency_p50_ms", round(t.latency.percentileMs(50)));
                    row.put("results_ok", watch.mismatches() == 0);
                    rows.add(row);
                    out.println(JSON.writeValueAsString(row));
                }
                if (app.streams().state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("the destination failed");
                }
            }
            Map<String, Object> tuning = PlainConsumerRun.tunedLike(config.streamsProperties());
            long plainNanos = PlainConsumerRun.readAll(bootstrap, topics.chunks(), totalRecords, tuning, TIMEOUT);
            long noopNanos = StreamsFloorRun.run(StreamsFloorRun.Mode.NOOP, topics.chunks(), totalRecords,
                    config.streamsProperties(), work.resolve("noop"), TIMEOUT);
            double plainRate = totalRecords / (plainNanos / 1e9);
            double noopRate = totalRecords / (noopNanos / 1e9);
            double baseline = Math.max(plainRate, noopRate);
            double chunks = 0;
            double seconds = 0;
            for (Map<String, Object> r : rows) {
                double n = ((Number) r.get("chunks")).doubleValue();
                chunks += n;
                seconds += n / ((Number) r.get("chunks_per_s")).doubleValue();
            }
            summary.put("type", "summary");
            summary.put("bench", "steady");
            summary.put("processing_guarantee", config.processingGuarantee());
            summary.put("partitions", PARTITIONS);
            summary.put("chunks", (long) chunks);
            summary.put("chunks_per_s", round(chunks / seconds));
            summary.put("plain_chunks_per_s", round(plainRate));
            summary.put("streams_noop_chunks_per_s", round(noopRate));
            summary.put("baseline", plainRate >= noopRate ? "plain" : "streams_noop");
            summary.put("ratio", round(chunks / seconds / baseline));
            summary.put("ratio_means", "destination chunks/s over the faster of a plain consumer tuned like the "
                    + "destination's and a no-op Kafka Streams app, reading the same chunks topic");
            summary.put("plain_consumer", tuning);
            Map<String, Object> realistic = rows.isEmpty() ? Map.of() : rows.get(0);
            summary.put("p50_ms", realistic.get("p50_ms"));
            summary.put("p99_ms", realistic.get("p99_ms"));
            summary.put("latency_means", "realistic case, one migration at a time: last chunk acknowledged to "
                    + "MigrationCompleted readable (read_committed)");
            Map<String, Object> byCase = new LinkedHashMap<>();
            for (Map<String, Object> r : rows) {
                byCase.put((String) r.get("type"), Map.of("chunks_per_s", r.get("chunks_per_s"),
                        "p50_ms", r.get("p50_ms"), "p99_ms", r.get("p99_ms")));
            }
            summary.put("cases", byCase);
            summary.put("results_ok", rows.stream().allMatch(r -> Boolean.TRUE.equals(r.get("results_ok"))));
        } finally {
            TopologyBench.deleteQuietly(work);
        }
        out.println(JSON.writeValueAsString(summary));
        return summary;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Migrations of one shape, named {@code <case>-<n>}, on the running destination. */
    private static final class Fleet {
        private final String name;
        private final List<MigrationBitmap> bitmaps = new ArrayList<>();
        private final ChunkPublisher publisher;
        private final CompletionWatch watch;
        private final DestinationApp app;
        private int next;

        Fleet(String name, int dirtyPercent, ChunkPublisher publisher, CompletionWatch watch, DestinationApp app) {
            this.name = name;
            this.publisher = publisher;
            this.watch = watch;
            this.app = app;
            for (int i = 0; i < BITMAPS_PER_VM; i++) {
                ClusteredBitmap bits = new ClusteredBitmap(CHUNKS_PER_BITMAP * 8192L * GRANULARITY.bytes(),
                        GRANULARITY, 31L * i + dirtyPercent, dirtyPercent);
                String bitmap = "bitmap-" + i;
                bitmaps.add(new MigrationBitmap("disk0", bitmap, true, true, bits));
                watch.expect(name, bitmap, TopologyBench.digest(bits).sha256());
            }
        }

        record Throughput(long records, long payloadChunks, long nanos, long publishNanos, Latency latency) {
        }

        record Latency(long records, List<Long> nanos) {
            double percentileMs(int p) {
                List<Long> sorted = nanos.stream().sorted().toList();
                int at = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
                return sorted.get(Math.max(0, at)) / 1e6;
            }
        }

        private String nextMigration() {
            return name + "-" + next++;
        }

        /** All {@code count} migrations published back to back, then waits for every completion. */
        Throughput backToBack(int count) {
            long startedAt = System.nanoTime();
            long records = 0;
            long payload = 0;
            Map<String, Long> ackedAt = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String migration = nextMigration();
                ChunkPublisher.Published p = publisher.send(migration, "vm-" + migration, bitmaps);
                records += p.records();
                payload += p.bitmapBytes() / 1024;
                ackedAt.put(migration, p.ackedAt());
            }
            long publishedAt = System.nanoTime();
            List<Long> latencies = new ArrayList<>();
            long last = 0;
            for (Map.Entry<String, Long> e : ackedAt.entrySet()) {
                long done = watch.await(e.getKey(), TIMEOUT, this::checkRunning);
                latencies.add(done - e.getValue());
                last = Math.max(last, done);
            }
            return new Throughput(records, payload, last - startedAt, publishedAt - startedAt,
                    new Latency(records, latencies));
        }

        /** {@code count} migrations, each published once the previous one completed. */
        Latency oneAtATime(int count) {
            long records = 0;
            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String migration = nextMigration();
                ChunkPublisher.Published p = publisher.send(migration, "vm-" + migration, bitmaps);
                records += p.records();
                latencies.add(watch.await(migration, TIMEOUT, this::checkRunning) - p.ackedAt());
            }
            return new Latency(records, latencies);
        }

        private void checkRunning() {
            if (app.streams().state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("the destination failed");
            }
        }
    }
}
