package org.dbmstream.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationConfig;

/**
 * {@code dbm bench topology}: on one in-process broker, publishes a migration of one bitmap of 1x,
 * 4x and 16x a base size, and for each measures a plain {@code KafkaConsumer} reading the chunks
 * topic and the destination topology (exactly_once_v2, RocksDB) consuming the same topic until its
 * MigrationCompleted event. A second series does the same for migrations of 1, 100 and 10,000
 * one-chunk bitmaps (cost and memory per bitmap). Prints one JSON line per case and a final summary
 * line with {@code chunks_per_s}, {@code plain_chunks_per_s} and {@code ratio} (ours / baseline) over the
 * sizes, the time per chunk and heap per size and per bitmap count. Every figure in chunks per second has
 * its twin in bitmap MiB per second ({@code *_mib_per_s}). The cases publish chunks of the chosen width (8 KiB
 * by default); the sizes then run again at QEMU's 1 KiB (the destination and both baselines, once each), and
 * the summary reports those figures beside the others ({@code at_1k}, {@code mib_per_s_over_1k}).
 *
 * <p>The floors that bound {@code ratio}, measured in the same run: the baselines (tuned plain consumer,
 * no-op Kafka Streams) run {@value #BASELINE_RUNS} times per size, the fastest counting; the decode floor
 * ({@link StreamsFloorRun.Mode#DECODE}: Kafka Streams reading the chunks with the destination's serdes);
 * the fixed-latency floor ({@link EosHopLatencyRun}: a marker through a minimal exactly_once_v2 app with
 * one repartition hop); and {@code ratio_ceiling}, the ratio a destination paying only those two would
 * reach ({@link Floors#ratioCeiling}).
 * A benchmark, never a test: nothing here asserts a time.
 */
public final class TopologyBench {

    /** KiB of the 1x bitmap: the QEMU chunks (1 KiB each) it would take; fewer at a wider chunk size. */
    public static final int DEFAULT_BASE_CHUNKS = 8192;
    /** The setting ({@code key=value} of {@link #main}) that chooses the chunk width; not passed to the destination. */
    public static final String CHUNK_SIZE_SETTING = "chunk.size";
    private static final int[] FACTORS = {1, 4, 16};
    /** Bitmap counts of the second series (DESIGN.md section 8: 1, 100, 10,000 bitmaps). */
    private static final int[] COUNTS = {1, 100, 10_000};
    private static final int PARTITIONS = 3;
    /** Runs of each baseline (plain consumer, no-op Kafka Streams) per case; the fastest counts. */
    static final int BASELINE_RUNS = 3;
    /** Timed markers of the fixed-latency floor (after one untimed). */
    private static final int LATENCY_MARKERS = 10;
    private static final Granularity GRANULARITY = Granularity.of(64 * 1024);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TopologyBench() {
    }

    /**
     * Entry point. Arguments, all optional: KiB of the 1x bitmap, then {@code key=value} settings passed to
     * the destination (Kafka Streams or client settings), except {@value #CHUNK_SIZE_SETTING} (1K, 2K, 4K or
     * 8K: the chunk width the cases publish).
     */
    public static void main(String[] args) throws Exception {
        int base = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_BASE_CHUNKS;
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + args[i] + "'");
            }
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        String width = settings.remove(CHUNK_SIZE_SETTING);
        run(base, width == null ? ChunkSize.KAFKA_DEFAULT : ChunkSize.parse(width), settings, System.out);
    }

    /** Runs the benchmark with the destination's defaults; see {@link #run(int, ChunkSize, Map, PrintStream)}. */
    public static Map<String, Object> run(int baseChunks, ChunkSize width, PrintStream out) throws Exception {
        return run(baseChunks, width, Map.of(), out);
    }

    /**
     * Runs the benchmark, printing JSON lines to {@code out}.
     *
     * @param baseChunks KiB of the 1x bitmap ({@value #DEFAULT_BASE_CHUNKS} by default)
     * @param width      bitmap per BITS chunk of the cases; the sizes run again at 1 KiB unless that is it
     * @param settings   extra destination settings (e.g. {@code commit.interval.ms}); empty for the defaults
     * @return the summary object (also the last line printed)
     */
    public static Map<String, Object> run(int baseChunks, ChunkSize width, Map<String, String> settings,
            PrintStream out) throws Exception {
        if (baseChunks < 1) {
            throw new IllegalArgumentException("base chunk count must be at least 1: " + baseChunks);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> countRows = new ArrayList<>();
        List<Map<String, Object>> qemuRows = new ArrayList<>();
        EosHopLatencyRun.Result latency;
        Path work = Files.createTempDirectory("dbm-bench-");
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
            // one untimed 1x round first, so that JIT compilation and RocksDB/class loading are not
            // charged to the 1x size only (which would make the per-chunk cost look like it falls)
            Map<String, Object> warmup = runSize(broker, work, 0, baseChunks, settings, null, width, true);
            warmup.put("type", "warmup");
            out.println(json(warmup));
            // the fixed-latency floor, with the destination's own properties, before the cases that use it
            latency = EosHopLatencyRun.run(broker, TopologyRun.config(broker.bootstrapServers(),
                    new Topics("bench-eos-hop."), work, settings), "bench-eos-hop.", work.resolve("eos-hop"),
                    LATENCY_MARKERS, Duration.ofMinutes(5));
            double latencyMs = latency.medianMs();
            for (int factor : FACTORS) {
                Map<String, Object> row = runSize(broker, work, factor, (long) baseChunks * factor, settings,
                        latencyMs, width, true);
                rows.add(row);
                out.println(json(row));
            }
            for (int count : COUNTS) {
                Map<String, Object> row = runCount(broker, work, count, settings, latencyMs, width);
                countRows.add(row);
                out.println(json(row));
            }
            if (!width.isQemu()) {
                // the same bitmaps in QEMU's 1 KiB chunks: the destination and the two baselines once each
                for (int factor : FACTORS) {
                    Map<String, Object> row = runSize(broker, work, factor, (long) baseChunks * factor, settings,
                            latencyMs, ChunkSize.QEMU, false);
                    row.put("type", "size_1k");
                    qemuRows.add(row);
                    out.println(json(row));
                }
            }
        } finally {
            deleteQuietly(work);
        }
        Map<String, Object> summary = summarize(rows);
        summarizeFloors(summary, rows, latency);
        summarizeCounts(summary, countRows);
        summary.put("chunk_size", width.toString());
        if (!qemuRows.isEmpty()) {
            Map<String, Object> qemu = summarizeThroughput(qemuRows);
            summary.put("at_1k", qemu);
            summary.put("mib_per_s_over_1k", round(((Number) summary.get("mib_per_s")).doubleValue()
                    / ((Number) qemu.get("mib_per_s")).doubleValue()));
        }
        summary.put("settings", settings);
        out.println(json(summary));
        return summary;
    }

    /**
     * One bitmap of {@code kib} KiB ({@code factor} 0: the warm-up round) in chunks of {@code width};
     * {@code floors}: the baselines best of {@value #BASELINE_RUNS} and the floors, else each baseline once.
     */
    private static Map<String, Object> runSize(EmbeddedKafkaBroker broker, Path work, int factor, long kib,
            Map<String, String> settings, Double latencyFloorMs, ChunkSize width, boolean floors) throws Exception {
        // 8192 bits per KiB, so this disk gives exactly `kib` QEMU chunks
        SyntheticBitmap bits = new SyntheticBitmap(kib * 8192L * GRANULARITY.bytes(), GRANULARITY, factor + 1);
        Map<String, Object> row = runCase(broker, work, "size" + factor + "-" + width,
                List.of(new MigrationBitmap("disk0", "bench", true, true, bits)), digest(bits), settings,
                latencyFloorMs, floors ? BASELINE_RUNS : 1, width, floors);
        row.put("type", "size");
        row.put("factor", factor);
        return row;
    }

    /** {@code count} bitmaps of one chunk each, all alike: how cost and memory grow with the number of bitmaps. */
    private static Map<String, Object> runCount(EmbeddedKafkaBroker broker, Path work, int count,
            Map<String, String> settings, Double latencyFloorMs, ChunkSize width) throws Exception {
        SyntheticBitmap bits = new SyntheticBitmap(8192L * GRANULARITY.bytes(), GRANULARITY, 7);
        List<MigrationBitmap> bitmaps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bitmaps.add(new MigrationBitmap("disk" + (i % 8), "bitmap-" + i, true, true, bits));
        }
        // one run per baseline: this series measures cost and memory per bitmap, not the ratio
        Map<String, Object> row = runCase(broker, work, "count" + count, bitmaps, digest(bits), settings,
                latencyFloorMs, 1, width, true);
        row.put("type", "count");
        row.put("bitmaps", count);
        return row;
    }

    /** Publishes one migration of {@code bitmaps} on topics of their own and measures both readers. */
    private static Map<String, Object> runCase(EmbeddedKafkaBroker broker, Path work, String name,
            List<MigrationBitmap> bitmaps, BitmapDigest.Result expected, Map<String, String> settings,
            Double latencyFloorMs, int baselineRuns, ChunkSize width, boolean floors) {
        Topics topics = new Topics("bench-" + name + ".");
        // the control topic is the topology's own broadcast channel: as many partitions as chunks
        String pipeTopic = topics.prefix() + "eos-pipe";
        broker.createTopics(PARTITIONS, topics.chunks(), topics.events(), topics.writes(), topics.dlq(),
                topics.prefix() + DestinationConfig.CONTROL_TOPIC, pipeTopic);
        broker.createTopic(topics.migrations(), PARTITIONS, Map.of("cleanup.policy", "compact"));
        String migration = "bench-" + name;
        ChunkPublisher.Published published = ChunkPublisher.publish(broker.bootstrapServers(), topics, migration,
                "bench-target-" + name, bitmaps, width);
        double bitmapMib = bitmaps.stream().mapToLong(b -> b.bits().bitCount()).sum() / 8.0 / (1024 * 1024);
        Duration timeout = Duration.ofMinutes(10);

        DestinationConfig config = TopologyRun.config(broker.bootstrapServers(), topics, work, settings);
        Map<String, Object> tuning = PlainConsumerRun.tunedLike(config.streamsProperties());
        // the baselines, best of baselineRuns each, alternating so that a burst of load elsewhere hits
        // both alike; the warm-up round has already run every code path once
        JitClock baselineJit = JitClock.start();
        List<Long> plainRuns = new ArrayList<>();
        List<Long> noopRuns = new ArrayList<>();
        for (int i = 0; i < baselineRuns; i++) {
            plainRuns.add(PlainConsumerRun.readAll(broker.bootstrapServers(), topics.chunks(), published.records(),
                    tuning, timeout));
            noopRuns.add(StreamsFloorRun.run(StreamsFloorRun.Mode.NOOP, topics.chunks(), published.records(),
                    config, work.resolve("floor-noop-" + name + "-" + i), timeout));
        }
        long baselineJitMs = baselineJit.sinceMs();
        long baselineJitCpuMs = baselineJit.cpuSinceMs();
        long plainNanos = Floors.fastest(plainRuns);
        long noopNanos = Floors.fastest(noopRuns);
        long decodeNanos = !floors ? 0 : StreamsFloorRun.run(StreamsFloorRun.Mode.DECODE, topics.chunks(),
                published.records(), config, work.resolve("floor-decode-" + name), timeout);
        long pipeNanos = !floors ? 0 : EosPipeRun.copyAll(broker.bootstrapServers(), topics.chunks(), pipeTopic,
                published.records(), config.streamsProperties(), timeout);
        long storeNanos = !floors ? 0 : StreamsFloorRun.run(StreamsFloorRun.Mode.STORE, topics.chunks(),
                published.records(), config, work.resolve("floor-store-" + name), timeout);
        JitClock oursJit = JitClock.start();
        TopologyRun.Result ours = TopologyRun.run(broker.bootstrapServers(), topics, work.resolve("state-" + name),
                migration, bitmaps.size(), settings, timeout);
        long oursJitMs = oursJit.sinceMs();
        long oursJitCpuMs = oursJit.cpuSinceMs();

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("type", name);
        row.put("chunk_size", width.toString());
        row.put("processing_guarantee", config.processingGuarantee());
        row.put("commit_interval_ms", commitIntervalMs(config));
        row.put("chunks", published.records());
        row.put("bits_chunks", published.bitsChunks());
        row.put("bitmap_mib", round(bitmapMib));
        row.put("chunks_per_s", round(published.records() / seconds(ours.nanos())));
        row.put("mib_per_s", round(bitmapMib / seconds(ours.nanos())));
        row.put("plain_chunks_per_s", round(published.records() / seconds(plainNanos)));
        row.put("plain_mib_per_s", round(bitmapMib / seconds(plainNanos)));
        // the honest baseline: whichever reader without work was faster in this run
        long baselineNanos = Math.min(plainNanos, noopNanos);
        row.put("baseline", plainNanos <= noopNanos ? "plain" : "streams_noop");
        row.put("baseline_chunks_per_s", round(published.records() / seconds(baselineNanos)));
        row.put("baseline_mib_per_s", round(bitmapMib / seconds(baselineNanos)));
        row.put("streams_noop_mib_per_s", round(bitmapMib / seconds(noopNanos)));
        row.put("ratio", round((double) baselineNanos / ours.nanos()));
        row.put("ratio_vs_plain", round((double) plainNanos / ours.nanos()));
        row.put("plain_consumer", tuning);
        row.put("bits_changelog_records", ours.bitsChangelogRecords());
        row.put("bits_changelog_per_bits_chunk", round((double) ours.bitsChangelogRecords()
                / Math.max(1, published.bitsChunks())));
        // per 1 KiB of bitmap, QEMU's chunk: about 1/64 when each 64 KiB segment reaches the changelog once
        row.put("bits_changelog_per_kib", round(ours.bitsChangelogRecords() / Math.max(1, bitmapMib * 1024)));
        row.put("streams_noop_chunks_per_s", round(published.records() / seconds(noopNanos)));
        row.put("plain_runs_chunks_per_s", rates(published.records(), plainRuns));
        row.put("streams_noop_runs_chunks_per_s", rates(published.records(), noopRuns));
        if (floors) {
            floorFigures(row, published, bitmapMib, baselineNanos, pipeNanos, storeNanos, decodeNanos, ours.nanos(),
                    latencyFloorMs);
        }
        row.put("jit_compile_ms", oursJitMs);
        row.put("baseline_jit_compile_ms", baselineJitMs);
        row.put("jit_cpu_ms", oursJitCpuMs);
        row.put("baseline_jit_cpu_ms", baselineJitCpuMs);
        row.put("publish_chunks_per_s", round(published.records() / seconds(published.nanos())));
        row.put("publish_mib_per_s", round(bitmapMib / seconds(published.nanos())));
        row.put("us_per_chunk", round(ours.nanos() / 1000.0 / published.records()));
        row.put("plain_us_per_chunk", round(plainNanos / 1000.0 / published.records()));
        Object cpu = ours.threadTime().get("process_cpu_ms");
        if (cpu instanceof Number ms) {
            // CPU of the whole JVM (destination and broker) per chunk: steadier than wall time under load
            row.put("cpu_us_per_chunk", round(ms.doubleValue() * 1000 / published.records()));
        }
        row.put("heap_after_mib", round(ours.heapAfterBytes() / (1024.0 * 1024)));
        row.put("state_dir_mib", round(ours.stateBytes() / (1024.0 * 1024)));
        row.put("stream_thread", ours.threadTime());
        row.put("sha256", expected.sha256());
        // every bitmap completed, each with the generator's own sha256 and count
        row.put("result_ok", ours.completed() == bitmaps.size() && ours.sha256s().equals(Set.of(expected.sha256()))
                && ours.counts().equals(Set.of(expected.count())));
        return row;
    }

    /** The floors of one case, in chunks and in bitmap MiB per second, and how ours compares to each. */
    private static void floorFigures(Map<String, Object> row, ChunkPublisher.Published published, double bitmapMib,
            long baselineNanos, long pipeNanos, long storeNanos, long decodeNanos, long oursNanos,
            Double latencyFloorMs) {
        long records = published.records();
        row.put("eos_pipe_chunks_per_s", round(records / seconds(pipeNanos)));
        row.put("eos_pipe_mib_per_s", round(bitmapMib / seconds(pipeNanos)));
        row.put("ratio_vs_eos_pipe", round((double) pipeNanos / oursNanos));
        row.put("eos_pipe_us_per_chunk", round(pipeNanos / 1000.0 / records));
        row.put("streams_store_chunks_per_s", round(records / seconds(storeNanos)));
        row.put("streams_store_mib_per_s", round(bitmapMib / seconds(storeNanos)));
        row.put("ratio_vs_streams_store", round((double) storeNanos / oursNanos));
        row.put("streams_decode_chunks_per_s", round(records / seconds(decodeNanos)));
        row.put("streams_decode_mib_per_s", round(bitmapMib / seconds(decodeNanos)));
        row.put("streams_decode_ratio", round((double) baselineNanos / decodeNanos));
        row.put("ratio_vs_streams_decode", round((double) decodeNanos / oursNanos));
        if (latencyFloorMs != null) {
            row.put("ratio_ceiling", round(Floors.ratioCeiling(records, records / seconds(decodeNanos), 1,
                    latencyFloorMs / 1000, records / seconds(baselineNanos))));
        }
    }

    /** Chunks and bitmap MiB per second of the destination and the baselines over {@code rows}, and the ratio. */
    private static Map<String, Object> summarizeThroughput(List<Map<String, Object>> rows) {
        double chunks = 0;
        double mib = 0;
        double ours = 0;
        double plain = 0;
        double noop = 0;
        double baseline = 0;
        for (Map<String, Object> r : rows) {
            double n = ((Number) r.get("chunks")).doubleValue();
            chunks += n;
            mib += ((Number) r.get("bitmap_mib")).doubleValue();
            ours += n / ((Number) r.get("chunks_per_s")).doubleValue();
            plain += n / ((Number) r.get("plain_chunks_per_s")).doubleValue();
            noop += n / ((Number) r.get("streams_noop_chunks_per_s")).doubleValue();
            baseline += n / ((Number) r.get("baseline_chunks_per_s")).doubleValue();
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("chunk_size", rows.get(0).get("chunk_size"));
        s.put("chunks", (long) chunks);
        s.put("bitmap_mib", round(mib));
        s.put("chunks_per_s", round(chunks / ours));
        s.put("mib_per_s", round(mib / ours));
        s.put("plain_mib_per_s", round(mib / plain));
        s.put("streams_noop_mib_per_s", round(mib / noop));
        s.put("baseline_mib_per_s", round(mib / baseline));
        s.put("ratio", round(baseline / ours));
        s.put("results_ok", rows.stream().allMatch(r -> Boolean.TRUE.equals(r.get("result_ok"))));
        return s;
    }

    /** Chunks per second of each run, in run order. */
    private static List<Double> rates(long records, List<Long> runs) {
        return runs.stream().map(n -> round(records / seconds(n))).toList();
    }

    /** The commit interval the destination runs with (its default unless the settings override it). */
    private static long commitIntervalMs(DestinationConfig config) {
        return new StreamsConfig(config.streamsProperties())
                .getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    }

    /** The generator's own sha256/count of the bitmap, to show the run applied every chunk. */
    static BitmapDigest.Result digest(SerializedBitmap bits) {
        BitmapDigest d = new BitmapDigest(bits.granularity());
        long step = 8L * 1024 * 1024; // bits per 1 MiB block, a multiple of 64
        byte[] buf = new byte[1024 * 1024];
        for (long first = 0; first < bits.bitCount(); first += step) {
            long n = Math.min(step, bits.bitCount() - first);
            int size = (int) DirtyBitmap.serializationSize(first, n);
            bits.serializeInto(first, n, buf, 0);
            d.update(buf, 0, size);
        }
        return d.finish();
    }

    private static Map<String, Object> summarize(List<Map<String, Object>> rows) {
        double chunks = 0;
        double ourSeconds = 0;
        double plainSeconds = 0;
        double pipeSeconds = 0;
        double publishSeconds = 0;
        double noopSeconds = 0;
        double storeSeconds = 0;
        double baselineSeconds = 0;
        double mib = 0;
        for (Map<String, Object> r : rows) {
            long n = ((Number) r.get("chunks")).longValue();
            chunks += n;
            mib += ((Number) r.get("bitmap_mib")).doubleValue();
            ourSeconds += n / ((Number) r.get("chunks_per_s")).doubleValue();
            plainSeconds += n / ((Number) r.get("plain_chunks_per_s")).doubleValue();
            pipeSeconds += n / ((Number) r.get("eos_pipe_chunks_per_s")).doubleValue();
            publishSeconds += n / ((Number) r.get("publish_chunks_per_s")).doubleValue();
            noopSeconds += n / ((Number) r.get("streams_noop_chunks_per_s")).doubleValue();
            storeSeconds += n / ((Number) r.get("streams_store_chunks_per_s")).doubleValue();
            baselineSeconds += n / ((Number) r.get("baseline_chunks_per_s")).doubleValue();
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "summary");
        s.put("bench", "topology");
        s.put("processing_guarantee", rows.isEmpty() ? null : rows.get(0).get("processing_guarantee"));
        s.put("commit_interval_ms", rows.isEmpty() ? null : rows.get(0).get("commit_interval_ms"));
        s.put("partitions", PARTITIONS);
        s.put("chunks", (long) chunks);
        s.put("chunks_per_s", round(chunks / ourSeconds));
        s.put("plain_chunks_per_s", round(chunks / plainSeconds));
        s.put("baseline_chunks_per_s", round(chunks / baselineSeconds));
        // per size the faster of the tuned plain consumer and the Kafka Streams application doing nothing
        s.put("ratio", round(baselineSeconds / ourSeconds));
        s.put("ratio_vs_plain", round(plainSeconds / ourSeconds));
        s.put("eos_pipe_chunks_per_s", round(chunks / pipeSeconds));
        s.put("ratio_vs_eos_pipe", round(pipeSeconds / ourSeconds));
        s.put("streams_noop_chunks_per_s", round(chunks / noopSeconds));
        s.put("streams_noop_ratio", round(plainSeconds / noopSeconds));
        s.put("streams_store_chunks_per_s", round(chunks / storeSeconds));
        s.put("streams_store_ratio", round(plainSeconds / storeSeconds));
        s.put("ratio_vs_streams_store", round(storeSeconds / ourSeconds));
        s.put("publish_chunks_per_s", round(chunks / publishSeconds));
        s.put("mib_per_s", round(mib / ourSeconds));
        s.put("plain_mib_per_s", round(mib / plainSeconds));
        s.put("streams_noop_mib_per_s", round(mib / noopSeconds));
        s.put("baseline_mib_per_s", round(mib / baselineSeconds));
        s.put("eos_pipe_mib_per_s", round(mib / pipeSeconds));
        s.put("streams_store_mib_per_s", round(mib / storeSeconds));
        s.put("publish_mib_per_s", round(mib / publishSeconds));
        s.put("bitmap_mib", round(mib));
        Map<String, Object> perChunk = new LinkedHashMap<>();
        Map<String, Object> heap = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            perChunk.put(r.get("factor") + "x", r.get("us_per_chunk"));
            heap.put(r.get("factor") + "x", r.get("heap_after_mib"));
        }
        s.put("us_per_chunk", perChunk);
        Map<String, Object> cpuPerChunk = new LinkedHashMap<>();
        Map<String, Object> changelog = new LinkedHashMap<>();
        Map<String, Object> changelogPerKib = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            cpuPerChunk.put(r.get("factor") + "x", r.get("cpu_us_per_chunk"));
            changelog.put(r.get("factor") + "x", r.get("bits_changelog_per_bits_chunk"));
            changelogPerKib.put(r.get("factor") + "x", r.get("bits_changelog_per_kib"));
        }
        s.put("cpu_us_per_chunk", cpuPerChunk);
        s.put("bits_changelog_per_bits_chunk", changelog);
        s.put("bits_changelog_per_kib", changelogPerKib);
        double first = ((Number) rows.get(0).get("us_per_chunk")).doubleValue();
        double last = ((Number) rows.get(rows.size() - 1).get("us_per_chunk")).doubleValue();
        s.put("per_chunk_growth_16x_vs_1x", round(last / first));
        // least-squares fit of run time = fixed + marginal * chunks over the sizes: the fixed part is
        // start-up and commit latency, the marginal part is what a chunk really costs
        double[] fit = fit(rows);
        s.put("fixed_overhead_ms", round(fit[0] * 1000));
        s.put("marginal_us_per_chunk", round(fit[1] * 1e6));
        // the same, size step by size step: what each chunk added from one size to the next (flat when
        // a chunk costs the same however large its bitmap)
        Map<String, Object> steps = new LinkedHashMap<>();
        for (int i = 1; i < rows.size(); i++) {
            Map<String, Object> a = rows.get(i - 1);
            Map<String, Object> b = rows.get(i);
            double chunksA = ((Number) a.get("chunks")).doubleValue();
            double chunksB = ((Number) b.get("chunks")).doubleValue();
            double usA = chunksA * ((Number) a.get("us_per_chunk")).doubleValue();
            double usB = chunksB * ((Number) b.get("us_per_chunk")).doubleValue();
            steps.put(a.get("factor") + "x-" + b.get("factor") + "x", round((usB - usA) / (chunksB - chunksA)));
        }
        s.put("marginal_us_per_chunk_by_step", steps);
        s.put("heap_after_mib", heap);
        s.put("results_ok", rows.stream().allMatch(r -> Boolean.TRUE.equals(r.get("result_ok"))));
        return s;
    }

    /**
     * The floors over the size cases: the decode floor, each baseline's runs (run i of every size
     * together), the fixed-latency floor and the ratio a destination paying only those would reach.
     */
    private static void summarizeFloors(Map<String, Object> s, List<Map<String, Object>> rows,
            EosHopLatencyRun.Result latency) {
        double chunks = 0;
        double decodeSeconds = 0;
        double baselineSeconds = 0;
        double[] plainRunSeconds = new double[BASELINE_RUNS];
        double[] noopRunSeconds = new double[BASELINE_RUNS];
        long jitMs = 0;
        long baselineJitMs = 0;
        long jitCpuMs = 0;
        long baselineJitCpuMs = 0;
        for (Map<String, Object> r : rows) {
            long n = ((Number) r.get("chunks")).longValue();
            chunks += n;
            decodeSeconds += n / ((Number) r.get("streams_decode_chunks_per_s")).doubleValue();
            baselineSeconds += n / ((Number) r.get("baseline_chunks_per_s")).doubleValue();
            for (int i = 0; i < BASELINE_RUNS; i++) {
                plainRunSeconds[i] += n / ((List<?>) r.get("plain_runs_chunks_per_s")).stream()
                        .skip(i).map(v -> ((Number) v).doubleValue()).findFirst().orElseThrow();
                noopRunSeconds[i] += n / ((List<?>) r.get("streams_noop_runs_chunks_per_s")).stream()
                        .skip(i).map(v -> ((Number) v).doubleValue()).findFirst().orElseThrow();
            }
            jitMs += ((Number) r.get("jit_compile_ms")).longValue();
            baselineJitMs += ((Number) r.get("baseline_jit_compile_ms")).longValue();
            jitCpuMs += ((Number) r.get("jit_cpu_ms")).longValue();
            baselineJitCpuMs += ((Number) r.get("baseline_jit_cpu_ms")).longValue();
        }
        List<Double> plainRuns = new ArrayList<>();
        List<Double> noopRuns = new ArrayList<>();
        for (int i = 0; i < BASELINE_RUNS; i++) {
            plainRuns.add(round(chunks / plainRunSeconds[i]));
            noopRuns.add(round(chunks / noopRunSeconds[i]));
        }
        s.put("plain_runs_chunks_per_s", plainRuns);
        s.put("streams_noop_runs_chunks_per_s", noopRuns);
        s.put("baselines_means", "plain_chunks_per_s and streams_noop_chunks_per_s are each the fastest of "
                + BASELINE_RUNS + " runs per size on the same records (after the warm-up round); *_runs_* list "
                + "every run, run i of all sizes together");
        s.put("streams_decode_chunks_per_s", round(chunks / decodeSeconds));
        s.put("streams_decode_mib_per_s", round(rows.stream().mapToDouble(r -> ((Number) r.get("bitmap_mib"))
                .doubleValue()).sum() / decodeSeconds));
        s.put("streams_decode_ratio", round(baselineSeconds / decodeSeconds));
        s.put("streams_decode_means", "a Kafka Streams app with the destination's properties reading the chunks "
                + "topic with the destination's key and value serdes and doing nothing else: the least a "
                + "destination reading this record format with Kafka Streams pays; ratio over the same baseline");
        double latencyMs = latency.medianMs();
        s.put("eos_two_hop_latency_ms", round(latencyMs));
        s.put("eos_two_hop_latency_runs_ms", latency.nanos().stream().map(n -> round(n / 1e6)).toList());
        s.put("eos_two_hop_first_ms", round(latency.firstNanos() / 1e6));
        s.put("eos_two_hop_latency_means", "median of " + latency.nanos().size() + " markers, one at a time: "
                + "publish acknowledged to output readable (read_committed) through a minimal exactly_once_v2 "
                + "app with the destination's properties and commit pacing, one repartition hop; "
                + "eos_two_hop_first_ms is the untimed first marker, sent once the fresh app is RUNNING");
        s.put("ratio_ceiling", round(Floors.ratioCeiling(chunks, chunks / decodeSeconds, rows.size(),
                latencyMs / 1000, chunks / baselineSeconds)));
        s.put("ratio_ceiling_means", "the ratio a destination would reach processing chunks at the decode floor's "
                + "rate and paying eos_two_hop_latency_ms once per run (" + rows.size() + " runs): "
                + "chunks / (chunks / decode rate + runs * latency) / baseline");
        s.put("ratio_ceiling_fresh_app", round(Floors.ratioCeiling(chunks, chunks / decodeSeconds, rows.size(),
                latency.firstNanos() / 1e9, chunks / baselineSeconds)));
        s.put("ratio_ceiling_fresh_app_means", "as ratio_ceiling, with the first marker's latency of the fresh app "
                + "(eos_two_hop_first_ms, one sample) per run instead of the median: each size runs a fresh "
                + "destination, whose first completion pays its application's first transactional commits");
        s.put("jit_compile_ms", jitMs);
        s.put("baseline_jit_compile_ms", baselineJitMs);
        s.put("jit_cpu_ms", jitCpuMs);
        s.put("baseline_jit_cpu_ms", baselineJitCpuMs);
        s.put("jit_means", "JIT compilation ms (CompilationMXBean, elapsed, all compiler threads) and the compiler "
                + "threads' CPU ms (/proc; -1 if unavailable) during the destination's runs (start-up included) "
                + "/ the baselines' runs, summed over the sizes");
    }

    /** Per bitmap count: time per chunk, heap, and heap and state-directory bytes per bitmap beyond the first. */
    private static void summarizeCounts(Map<String, Object> summary, List<Map<String, Object>> rows) {
        Map<String, Object> perChunk = new LinkedHashMap<>();
        Map<String, Object> heap = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            perChunk.put(String.valueOf(r.get("bitmaps")), r.get("us_per_chunk"));
            heap.put(String.valueOf(r.get("bitmaps")), r.get("heap_after_mib"));
        }
        summary.put("us_per_chunk_by_bitmaps", perChunk);
        summary.put("heap_after_mib_by_bitmaps", heap);
        // issue 14's fleet-scale check: heap after 10,000 concurrent bitmaps (target < 512 MiB)
        rows.stream().filter(r -> ((Number) r.get("bitmaps")).intValue() == 10_000).findFirst()
                .ifPresent(r -> summary.put("heap_after_mib_10000_bitmaps", r.get("heap_after_mib")));
        if (rows.size() >= 2) {
            Map<String, Object> first = rows.get(0);
            Map<String, Object> last = rows.get(rows.size() - 1);
            double extra = ((Number) last.get("bitmaps")).doubleValue() - ((Number) first.get("bitmaps")).doubleValue();
            double heapDelta = ((Number) last.get("heap_after_mib")).doubleValue()
                    - ((Number) first.get("heap_after_mib")).doubleValue();
            double stateDelta = ((Number) last.get("state_dir_mib")).doubleValue()
                    - ((Number) first.get("state_dir_mib")).doubleValue();
            summary.put("heap_bytes_per_bitmap", round(heapDelta * 1024 * 1024 / extra));
            summary.put("state_bytes_per_bitmap", round(stateDelta * 1024 * 1024 / extra));
        }
        boolean ok = rows.stream().allMatch(r -> Boolean.TRUE.equals(r.get("result_ok")));
        summary.put("results_ok", ok && (Boolean) summary.get("results_ok"));
    }

    /** {intercept seconds, slope seconds per chunk} of the topology's run time against chunk count. */
    private static double[] fit(List<Map<String, Object>> rows) {
        int n = rows.size();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (Map<String, Object> r : rows) {
            double x = ((Number) r.get("chunks")).doubleValue();
            double y = x * ((Number) r.get("us_per_chunk")).doubleValue() / 1e6;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        return new double[] {(sy - slope * sx) / n, slope};
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String json(Map<String, Object> row) throws JsonProcessingException {
        return JSON.writeValueAsString(row);
    }

    static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // a leftover temp dir is harmless; the numbers are already printed
        }
    }
}
