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
import org.dbmstream.bitmap.chunk.ChunkSize;
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
 * Before the cases, untimed warm-up batches until the JIT is quiet ({@code jit_compile_ms} is printed per
 * timed section). After the cases, a plain consumer tuned like the destination's and a Kafka Streams
 * application doing nothing read the whole chunks topic (the same records; one untimed round each, then
 * the fastest of {@value #BASELINE_ROUNDS} - 1 timed rounds); {@code ratio} = the destination's chunks/s
 * over the faster of the two. The floors printed beside it: the decode floor (Kafka Streams reading the
 * chunks with the destination's serdes, {@code streams_decode_*}), the publisher's own rate in the same
 * JVM ({@code publish_ceiling_ratio}: the destination cannot read faster than it is fed), and a tuned plain
 * consumer reading the realistic fleet live while it is published again ({@link LivePlainRun},
 * {@code live_ratio}). Every rate has its twin in bitmap MiB per second ({@code *mib_per_s}). The fleets
 * publish chunks of the chosen width (8 KiB by default); then the whole bench runs again on topics of its own
 * with QEMU's 1 KiB chunks (a second destination in the same, already warm JVM), reported beside the first
 * ({@code at_1k}, {@code mib_per_s_over_1k}). A benchmark, never a test: nothing here asserts a time.
 */
public final class SteadyBench {
    /** Migrations (VMs) of the realistic case. */
    public static final int DEFAULT_VMS = 200;
    /** Migrations of the dense case (each 4 MiB of bitmap, no chunk ZEROES). */
    public static final int DEFAULT_DENSE_VMS = 50;
    /** Migrations timed one at a time per case. */
    public static final int DEFAULT_LATENCY_MIGRATIONS = 40;
    private static final int BITMAPS_PER_VM = 2;
    /** KiB of each bitmap: QEMU's chunks of it (fewer at a wider chunk size). */
    private static final long CHUNKS_PER_BITMAP = 2048;
    /** Bitmap MiB one migration carries. */
    private static final double MIB_PER_MIGRATION = BITMAPS_PER_VM * CHUNKS_PER_BITMAP / 1024.0;
    private static final int DIRTY_PERCENT = 10;
    private static final int PARTITIONS = 3;
    /**
     * Untimed warm-up: batches of migrations back to back until a batch's JIT compilation time is at most
     * {@link #WARMUP_JIT_SHARE} of its wall time (at most {@link #WARMUP_MAX_BATCHES} batches), then some
     * one at a time.
     */
    private static final int WARMUP_BATCH = 20;
    private static final int WARMUP_MAX_BATCHES = 6;
    private static final double WARMUP_JIT_SHARE = 0.25;
    private static final int WARMUP_MIGRATIONS = 10;
    /** Rounds of each baseline: the first warms, the fastest of the others counts. */
    static final int BASELINE_ROUNDS = 4;
    private static final Granularity GRANULARITY = Granularity.of(64 * 1024);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SteadyBench() {
    }

    /** Entry point: {@code [vms [dense_vms [latency_migrations [chunk_size]]]]}. */
    public static void main(String[] args) throws Exception {
        int vms = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_VMS;
        int dense = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_DENSE_VMS;
        int latency = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_LATENCY_MIGRATIONS;
        ChunkSize width = args.length > 3 ? ChunkSize.parse(args[3]) : ChunkSize.KAFKA_DEFAULT;
        run(vms, dense, latency, width, System.out);
    }

    /**
     * Runs the benchmark with chunks of {@code width}, then (unless that is QEMU's 1 KiB) again with 1 KiB
     * chunks, printing JSON lines to {@code out}; returns the summary (the last line).
     */
    public static Map<String, Object> run(int vms, int denseVms, int latencyMigrations, ChunkSize width,
            PrintStream out) throws Exception {
        if (vms < 1 || denseVms < 0 || latencyMigrations < 1) {
            throw new IllegalArgumentException("need vms >= 1, dense vms >= 0, latency migrations >= 1");
        }
        Path work = Files.createTempDirectory("dbm-bench-steady-");
        Map<String, Object> summary;
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
            summary = runWidth(broker, work, new Topics("steady."), width, vms, denseVms, latencyMigrations, true, out);
            if (!width.isQemu()) {
                Map<String, Object> qemu = runWidth(broker, work, new Topics("steady-1k."), ChunkSize.QEMU, vms,
                        denseVms, latencyMigrations, false, out);
                Map<String, Object> at1k = new LinkedHashMap<>();
                for (String k : List.of("chunk_size", "chunks", "chunks_per_s", "mib_per_s", "plain_mib_per_s",
                        "streams_noop_mib_per_s", "baseline", "ratio", "p50_ms", "p99_ms", "cases", "results_ok")) {
                    at1k.put(k, qemu.get(k));
                }
                summary.put("at_1k", at1k);
                summary.put("mib_per_s_over_1k", round(((Number) summary.get("mib_per_s")).doubleValue()
                        / ((Number) qemu.get("mib_per_s")).doubleValue()));
                summary.put("results_ok", Boolean.TRUE.equals(summary.get("results_ok"))
                        && Boolean.TRUE.equals(qemu.get("results_ok")));
            }
        } finally {
            TopologyBench.deleteQuietly(work);
        }
        out.println(JSON.writeValueAsString(summary));
        return summary;
    }

    /** The whole bench at one chunk width on topics of its own; {@code live}: with the live plain consumer. */
    private static Map<String, Object> runWidth(EmbeddedKafkaBroker broker, Path work, Topics topics, ChunkSize width,
            int vms, int denseVms, int latencyMigrations, boolean withLive, PrintStream out) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        broker.createTopics(PARTITIONS, topics.chunks(), topics.events(), topics.writes(), topics.dlq(),
                topics.prefix() + DestinationConfig.CONTROL_TOPIC);
        broker.createTopic(topics.migrations(), PARTITIONS, Map.of("cleanup.policy", "compact"));
        String bootstrap = broker.bootstrapServers();
        DestinationConfig config = TopologyRun.config(bootstrap, topics, work.resolve("destination-" + width),
                Map.of());
        long totalRecords = 0;
        long totalMigrations = 0;
        List<Fleet.Throughput> throughputs = new ArrayList<>();
        try (CompletionWatch watch = new CompletionWatch(bootstrap, topics.events());
             ChunkPublisher publisher = new ChunkPublisher(bootstrap, topics, width);
             DestinationApp app = new DestinationApp(config)) {
            app.start();
            // warm-up, untimed: back-to-back batches (C2 compiles the bulk paths of the destination, the
            // broker and the clients, all in this JVM) until the JIT is quiet, then a few one at a time
            // (the completion paths); jit_compile_ms of the timed sections shows what is left
            Fleet warm = new Fleet("warmup", DIRTY_PERCENT, publisher, watch, app);
            JitClock warmJit = JitClock.start();
            List<Double> batchJitShares = new ArrayList<>();
            Fleet.Throughput batch = null;
            int warmMigrations = 0;
            while (batchJitShares.size() < WARMUP_MAX_BATCHES
                    && (batchJitShares.isEmpty() || batchJitShares.get(batchJitShares.size() - 1) > WARMUP_JIT_SHARE)) {
                JitClock batchJit = JitClock.start();
                batch = warm.backToBack(WARMUP_BATCH);
                // the compiler threads' CPU over wall time where /proc tells it, else compile time over wall time
                long batchCpuMs = batchJit.cpuSinceMs();
                batchJitShares.add(round(Floors.jitShare(batchCpuMs >= 0 ? batchCpuMs : batchJit.sinceMs(),
                        batch.nanos)));
                totalRecords += batch.records;
                warmMigrations += WARMUP_BATCH;
            }
            totalRecords += warm.oneAtATime(WARMUP_MIGRATIONS).records;
            totalMigrations += warmMigrations + WARMUP_MIGRATIONS;
            Map<String, Object> warmRow = new LinkedHashMap<>();
            warmRow.put("type", "warmup");
            warmRow.put("chunk_size", width.toString());
            warmRow.put("migrations", warmMigrations + WARMUP_MIGRATIONS);
            warmRow.put("chunks_per_s", round(batch.records / (batch.nanos / 1e9)));
            warmRow.put("jit_compile_ms", warmJit.sinceMs());
            warmRow.put("jit_cpu_ms", warmJit.cpuSinceMs());
            warmRow.put("batch_jit_share", batchJitShares);
            out.println(JSON.writeValueAsString(warmRow));
            for (Fleet fleet : List.of(new Fleet("realistic", DIRTY_PERCENT, publisher, watch, app),
                    new Fleet("dense", 100, publisher, watch, app))) {
                int count = fleet.name.equals("dense") ? denseVms : vms;
                if (count == 0) {
                    continue;
                }
                JitClock jit = JitClock.start();
                Fleet.Throughput t = fleet.backToBack(count);
                long throughputJitMs = jit.sinceMs();
                long throughputJitCpuMs = jit.cpuSinceMs();
                jit = JitClock.start();
                Fleet.Latency l = fleet.oneAtATime(latencyMigrations);
                long latencyJitMs = jit.sinceMs();
                long latencyJitCpuMs = jit.cpuSinceMs();
                totalRecords += t.records + l.records;
                totalMigrations += count + latencyMigrations;
                throughputs.add(t);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("type", fleet.name);
                row.put("chunk_size", width.toString());
                row.put("migrations", count);
                row.put("bitmaps_per_migration", BITMAPS_PER_VM);
                row.put("chunks_per_bitmap", CHUNKS_PER_BITMAP * ChunkSize.QEMU.bytes() / width.bytes());
                row.put("chunks", t.records);
                row.put("bits_kib_with_payload", t.payloadChunks);
                row.put("chunks_per_s", round(t.records / (t.nanos / 1e9)));
                row.put("mib_per_s", round(count * MIB_PER_MIGRATION / (t.nanos / 1e9)));
                row.put("publish_chunks_per_s", round(t.records / (t.publishNanos / 1e9)));
                row.put("latency_migrations", latencyMigrations);
                row.put("p50_ms", round(l.percentileMs(50)));
                row.put("p99_ms", round(l.percentileMs(99)));
                row.put("max_ms", round(l.percentileMs(100)));
                row.put("backlog_latency_p50_ms", round(t.latency.percentileMs(50)));
                row.put("jit_compile_ms", throughputJitMs);
                row.put("latency_jit_compile_ms", latencyJitMs);
                row.put("jit_cpu_ms", throughputJitCpuMs);
                row.put("latency_jit_cpu_ms", latencyJitCpuMs);
                row.put("results_ok", watch.mismatches() == 0);
                rows.add(row);
                out.println(JSON.writeValueAsString(row));
            }
            if (app.streams().state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("the destination failed");
            }
        }
        Map<String, Object> tuning = PlainConsumerRun.tunedLike(config.streamsProperties());
        // the baselines: BASELINE_ROUNDS rounds of each, alternating; the first round only warms their code
        // paths (it is printed, not counted), the fastest of the others counts
        JitClock baselineJit = JitClock.start();
        List<Long> plainRuns = new ArrayList<>();
        List<Long> noopRuns = new ArrayList<>();
        for (int i = 0; i < BASELINE_ROUNDS; i++) {
            plainRuns.add(PlainConsumerRun.readAll(bootstrap, topics.chunks(), totalRecords, tuning, TIMEOUT));
            noopRuns.add(StreamsFloorRun.run(StreamsFloorRun.Mode.NOOP, topics.chunks(), totalRecords,
                    config, work.resolve("noop-" + i), TIMEOUT));
        }
        long baselineJitMs = baselineJit.sinceMs();
        long baselineJitCpuMs = baselineJit.cpuSinceMs();
        long decodeNanos = StreamsFloorRun.run(StreamsFloorRun.Mode.DECODE, topics.chunks(), totalRecords,
                config, work.resolve("decode"), TIMEOUT);
        LivePlainRun.Result live = withLive ? live(broker, tuning, vms, width) : null;
        double plainRate = totalRecords / (Floors.fastest(plainRuns.subList(1, plainRuns.size())) / 1e9);
        double noopRate = totalRecords / (Floors.fastest(noopRuns.subList(1, noopRuns.size())) / 1e9);
        double decodeRate = totalRecords / (decodeNanos / 1e9);
        double baseline = Math.max(plainRate, noopRate);
        double chunks = 0;
        double seconds = 0;
        double publishSeconds = 0;
        double mib = 0;
        for (Fleet.Throughput t : throughputs) {
            chunks += t.records;
            seconds += t.nanos / 1e9;
            publishSeconds += t.publishNanos / 1e9;
            mib += t.migrations * MIB_PER_MIGRATION;
        }
        // the baselines read every migration on the topic, warm-up included
        double topicMib = totalMigrations * MIB_PER_MIGRATION;
        summary.put("type", "summary");
        summary.put("bench", "steady");
        summary.put("chunk_size", width.toString());
        summary.put("processing_guarantee", config.processingGuarantee());
        summary.put("partitions", PARTITIONS);
        summary.put("chunks", (long) chunks);
        summary.put("chunks_per_s", round(chunks / seconds));
        summary.put("mib_per_s", round(mib / seconds));
        summary.put("plain_chunks_per_s", round(plainRate));
        summary.put("plain_mib_per_s", round(plainRate / totalRecords * topicMib));
        summary.put("streams_noop_chunks_per_s", round(noopRate));
        summary.put("streams_noop_mib_per_s", round(noopRate / totalRecords * topicMib));
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
        summary.put("plain_runs_chunks_per_s", rates(totalRecords, plainRuns.subList(1, plainRuns.size())));
        summary.put("plain_warmup_chunks_per_s", round(totalRecords / (plainRuns.get(0) / 1e9)));
        summary.put("streams_noop_runs_chunks_per_s", rates(totalRecords, noopRuns.subList(1, noopRuns.size())));
        summary.put("streams_noop_warmup_chunks_per_s", round(totalRecords / (noopRuns.get(0) / 1e9)));
        summary.put("baselines_means", "plain_chunks_per_s and streams_noop_chunks_per_s are each the fastest of "
                + (BASELINE_ROUNDS - 1) + " timed runs over the whole chunks topic (" + totalRecords
                + " records, warm-up included), after one untimed round each (*_warmup_*) that warms their code");
        summary.put("baseline_jit_compile_ms", baselineJitMs);
        summary.put("baseline_jit_cpu_ms", baselineJitCpuMs);
        summary.put("streams_decode_chunks_per_s", round(decodeRate));
        summary.put("streams_decode_mib_per_s", round(decodeRate / totalRecords * topicMib));
        summary.put("streams_decode_ratio", round(decodeRate / baseline));
        summary.put("streams_decode_means", "a Kafka Streams app with the destination's properties reading the "
                + "chunks topic with the destination's key and value serdes and doing nothing else: the least a "
                + "destination reading this record format with Kafka Streams pays; ratio over the same baseline");
        summary.put("publish_chunks_per_s", round(chunks / publishSeconds));
        summary.put("publish_mib_per_s", round(mib / publishSeconds));
        summary.put("publish_ceiling_ratio", round(chunks / publishSeconds / baseline));
        summary.put("publish_ceiling_means", "the publisher feeding the destination in the same JVM, over the "
                + "baseline: the destination's ratio cannot exceed it, as it reads no faster than chunks arrive");
        if (live != null) {
            double liveRate = live.records() / (live.nanos() / 1e9);
            summary.put("live_plain_chunks_per_s", round(liveRate));
            summary.put("live_plain_mib_per_s", round(vms * MIB_PER_MIGRATION / (live.nanos() / 1e9)));
            summary.put("live_publish_chunks_per_s", round(live.records() / (live.publishNanos() / 1e9)));
            summary.put("live_ratio", round(((Number) realistic.get("chunks_per_s")).doubleValue() / liveRate));
            summary.put("live_means", "the realistic fleet published once more, by the same publisher, to a fresh "
                    + "chunks topic while a tuned plain consumer reads it (no destination running), timed as the "
                    + "destination is (first chunk sent to last record read); live_ratio = the realistic case's "
                    + "chunks/s over it");
        }
        Map<String, Object> byCase = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> r = rows.get(i);
            Fleet.Throughput t = throughputs.get(i);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("chunks_per_s", r.get("chunks_per_s"));
            c.put("mib_per_s", r.get("mib_per_s"));
            c.put("p50_ms", r.get("p50_ms"));
            c.put("p99_ms", r.get("p99_ms"));
            c.put("publish_chunks_per_s", r.get("publish_chunks_per_s"));
            c.put("publish_ceiling_ratio", round(t.records / (t.publishNanos / 1e9) / baseline));
            c.put("jit_compile_ms", r.get("jit_compile_ms"));
            c.put("jit_cpu_ms", r.get("jit_cpu_ms"));
            byCase.put((String) r.get("type"), c);
        }
        summary.put("cases", byCase);
        summary.put("results_ok", rows.stream().allMatch(r -> Boolean.TRUE.equals(r.get("results_ok"))));
        return summary;
    }

    /**
     * The realistic fleet published once more, by a publisher of the same settings, to fresh topics while a
     * tuned plain consumer reads it live.
     */
    private static LivePlainRun.Result live(EmbeddedKafkaBroker broker, Map<String, Object> tuning, int vms,
            ChunkSize width) {
        Topics live = new Topics("steady-live.");
        broker.createTopics(PARTITIONS, live.chunks());
        broker.createTopic(live.migrations(), PARTITIONS, Map.of("cleanup.policy", "compact"));
        List<MigrationBitmap> bitmaps = bitmaps(DIRTY_PERCENT);
        try (ChunkPublisher publisher = new ChunkPublisher(broker.bootstrapServers(), live, width)) {
            return LivePlainRun.run(broker.bootstrapServers(), live.chunks(), tuning, () -> {
                long records = 0;
                for (int i = 0; i < vms; i++) {
                    records += publisher.send("live-" + i, "vm-live-" + i, bitmaps).records();
                }
                return records;
            }, TIMEOUT);
        }
    }

    /** The bitmaps of one migration of a case, {@code dirtyPercent} % of their chunks dirty. */
    private static List<MigrationBitmap> bitmaps(int dirtyPercent) {
        List<MigrationBitmap> bitmaps = new ArrayList<>();
        for (int i = 0; i < BITMAPS_PER_VM; i++) {
            ClusteredBitmap bits = new ClusteredBitmap(CHUNKS_PER_BITMAP * 8192L * GRANULARITY.bytes(),
                    GRANULARITY, 31L * i + dirtyPercent, dirtyPercent);
            bitmaps.add(new MigrationBitmap("disk0", "bitmap-" + i, true, true, bits));
        }
        return bitmaps;
    }

    private static List<Double> rates(long records, List<Long> runs) {
        return runs.stream().map(n -> round(records / (n / 1e9))).toList();
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Migrations of one shape, named {@code <case>-<n>}, on the running destination. */
    private static final class Fleet {
        private final String name;
        private final List<MigrationBitmap> bitmaps;
        private final ChunkPublisher publisher;
        private final CompletionWatch watch;
        private final DestinationApp app;
        private int next;

        Fleet(String name, int dirtyPercent, ChunkPublisher publisher, CompletionWatch watch, DestinationApp app) {
            this.name = name;
            this.publisher = publisher;
            this.watch = watch;
            this.app = app;
            this.bitmaps = bitmaps(dirtyPercent);
            for (MigrationBitmap b : bitmaps) {
                watch.expect(name, b.bitmapAlias(), TopologyBench.digest(b.bits()).sha256());
            }
        }

        record Throughput(int migrations, long records, long payloadChunks, long nanos, long publishNanos,
                Latency latency) {
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
            return new Throughput(count, records, payload, last - startedAt, publishedAt - startedAt,
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
