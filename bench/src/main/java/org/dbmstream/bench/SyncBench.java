package org.dbmstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationPlan;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationSpecs;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublishResult;
import org.dbmstream.source.PublisherSettings;
import org.dbmstream.source.sync.BitmapIdentity;
import org.dbmstream.source.sync.RememberedVersion;
import org.dbmstream.source.sync.RoundChunkSource;
import org.dbmstream.source.sync.RoundPlan;
import org.dbmstream.source.sync.ScannedBitmap;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;

/**
 * {@code dbm bench sync}: keeping a fleet's replicas current (DESIGN.md section 12). A fleet of {@code vms} VMs,
 * one bitmap each (a 1 TiB disk at 64 KiB granularity: 2,048 chunks, one in ten dirty), is sent whole once (the
 * full migration of the fleet), then rounds change {@code change} of every bitmap's chunks and sync it the way
 * {@code dbm sync} does (the same planning, chunk source and publisher; what is remembered stays in memory). Per
 * round: records and bytes published against the full round (expected: about the changed share), round
 * completion per VM (from its publication starting to its MigrationCompleted readable) p50/p99, and the CPU of
 * the destination's stream threads. Then one 256 MiB bitmap (a 1 TiB disk at 512 B) sent whole, and a delta of
 * {@code change} of its chunks: the latency of each, the delta's including the COMPLETE that hashes the whole
 * bitmap. Every BitmapCompleted must carry the generator's sha256 ({@code result_ok}). A benchmark, never a test.
 */
public final class SyncBench {
    public static final int DEFAULT_VMS = 1000;
    public static final double DEFAULT_CHANGE = 0.01;
    public static final int DEFAULT_ROUNDS = 3;
    private static final long TIB = 1L << 40;
    private static final int PARTITIONS = 3;
    private static final Duration TIMEOUT = Duration.ofMinutes(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyncBench() {
    }

    /** Entry point: {@code [vms [change [rounds]]]}. */
    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_VMS,
                args.length > 1 ? Double.parseDouble(args[1]) : DEFAULT_CHANGE,
                args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_ROUNDS, System.out);
    }

    /** One VM: its target, bitmap and what the replica has. */
    private static final class Vm {
        final String target;
        final FleetBitmap bits;
        RememberedVersion remembered;

        Vm(String target, FleetBitmap bits) {
            this.target = target;
            this.bits = bits;
        }
    }

    /** Runs the benchmark, printing JSON lines to {@code out}; returns the summary (the last line). */
    public static Map<String, Object> run(int vms, double change, int rounds, PrintStream out) throws Exception {
        if (vms < 1 || change <= 0 || change > 1 || rounds < 1) {
            throw new IllegalArgumentException("need vms >= 1, 0 < change <= 1, rounds >= 1");
        }
        Path work = Files.createTempDirectory("dbm-bench-sync-");
        Topics topics = new Topics("bsync.");
        Map<String, Object> summary = new LinkedHashMap<>();
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
            broker.createTopics(PARTITIONS, topics.chunks(), topics.events(), topics.writes(), topics.dlq(),
                    topics.prefix() + DestinationConfig.CONTROL_TOPIC);
            broker.createTopic(topics.migrations(), PARTITIONS, Map.of("cleanup.policy", "compact"));
            String bootstrap = broker.bootstrapServers();
            DestinationConfig config = TopologyRun.config(bootstrap, topics, work.resolve("destination"), Map.of());
            Random random = new Random(42);
            List<Vm> fleet = new ArrayList<>();
            for (int i = 0; i < vms; i++) {
                fleet.add(new Vm("vm-" + i, new FleetBitmap(TIB, Granularity.of(65536), i)));
            }
            try (CompletionWatch watch = new CompletionWatch(bootstrap, topics.events());
                    MigrationPublisher publisher = new MigrationPublisher(PublisherSettings.builder(bootstrap)
                            .topics(topics).sourceId("bench-sync").build());
                    DestinationApp app = new DestinationApp(config)) {
                app.start();
                Map<String, Object> full = round(0, "full", fleet, publisher, watch, Map.of());
                out.println(JSON.writeValueAsString(full));
                List<Map<String, Object>> deltas = new ArrayList<>();
                for (int r = 1; r <= rounds; r++) {
                    long changed = 0;
                    for (Vm vm : fleet) {
                        changed += vm.bits.change(change, random);
                    }
                    Map<String, Object> row = round(r, "delta", fleet, publisher, watch, full);
                    row.put("changed_chunk_share", round4((double) changed / (vms * (long) fleet.get(0).bits.slots())));
                    out.println(JSON.writeValueAsString(row));
                    deltas.add(row);
                }
                Map<String, Object> big = bigBitmap(publisher, watch, change, random);
                out.println(JSON.writeValueAsString(big));
                summary.put("bench", "sync");
                summary.put("vms", vms);
                summary.put("change", change);
                summary.put("full_round_records", full.get("records"));
                summary.put("full_round_bytes", full.get("bytes"));
                summary.put("delta_round_records_ratio", median(deltas, "records_ratio_to_full"));
                summary.put("delta_round_bytes_ratio", median(deltas, "bytes_ratio_to_full"));
                summary.put("delta_round_p50_ms", median(deltas, "p50_ms"));
                summary.put("delta_round_p99_ms", median(deltas, "p99_ms"));
                summary.put("delta_round_stream_thread_cpu_ms", median(deltas, "stream_thread_cpu_ms"));
                summary.put("full_round_stream_thread_cpu_ms", full.get("stream_thread_cpu_ms"));
                summary.put("big_full_ms", big.get("full_ms"));
                summary.put("big_delta_ms", big.get("delta_ms"));
                summary.put("result_ok", watch.mismatches() == 0);
                out.println(JSON.writeValueAsString(summary));
            }
        } finally {
            deleteQuietly(work);
        }
        return summary;
    }

    /** One round over the fleet: plan, publish each VM's migration, wait for all, remember what was confirmed. */
    private static Map<String, Object> round(int number, String kind, List<Vm> fleet, MigrationPublisher publisher,
            CompletionWatch watch, Map<String, Object> full) throws Exception {
        CpuClock cpu = CpuClock.start();
        long t0 = System.nanoTime();
        long records = 0;
        long bytes = 0;
        Map<String, Long> started = new HashMap<>();
        Map<String, Vm> byMigration = new HashMap<>();
        Map<String, ScannedBitmap> scans = new HashMap<>();
        for (Vm vm : fleet) {
            ScannedBitmap s = scan(vm);
            RoundPlan plan = RoundPlan.of(List.of(s), vm.remembered == null ? Map.of()
                    : Map.of(s.id(), vm.remembered), Set.of("vda"), true);
            if (plan.sending().isEmpty()) {
                continue;
            }
            // CompletionWatch checks a BitmapCompleted by the id's part before its last '-' and the bitmap name
            String id = "r" + number + vm.target + "-m";
            watch.expect("r" + number + vm.target, "b0", s.digest().sha256());
            started.put(id, System.nanoTime());
            byMigration.put(id, vm);
            scans.put(id, s);
            PublishResult p = publish(publisher, id, vm.target, plan);
            records += p.records();
            bytes += p.bytes();
        }
        List<Long> latencies = new ArrayList<>();
        for (Map.Entry<String, Long> e : started.entrySet()) {
            long done = watch.await(e.getKey(), TIMEOUT, () -> { });
            latencies.add((done - e.getValue()) / 1_000_000);
            Vm vm = byMigration.get(e.getKey());
            vm.remembered = scans.get(e.getKey()).confirmed(e.getKey(), System.currentTimeMillis());
        }
        long nanos = System.nanoTime() - t0;
        latencies.sort(Long::compare);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", number);
        row.put("kind", kind);
        row.put("migrations", started.size());
        row.put("records", records);
        row.put("bytes", bytes);
        if (!full.isEmpty()) {
            row.put("records_ratio_to_full", round4((double) records / ((Number) full.get("records")).longValue()));
            row.put("bytes_ratio_to_full", round4((double) bytes / ((Number) full.get("bytes")).longValue()));
        }
        row.put("round_s", Math.round(nanos / 1e7) / 100.0);
        row.put("p50_ms", percentile(latencies, 0.50));
        row.put("p99_ms", percentile(latencies, 0.99));
        row.putAll(cpu.since());
        row.put("result_ok", watch.mismatches() == 0);
        return row;
    }

    /** One 256 MiB bitmap whole, then a delta of {@code change} of its chunks: the latency of each. */
    private static Map<String, Object> bigBitmap(MigrationPublisher publisher, CompletionWatch watch, double change,
            Random random) throws Exception {
        Vm big = new Vm("big", new FleetBitmap(TIB, Granularity.of(512), 4242));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("case", "256MiB bitmap (1 TiB disk at 512 B), " + big.bits.slots() + " chunks");
        for (String kind : List.of("full", "delta")) {
            if (kind.equals("delta")) {
                row.put("changed_chunks", big.bits.change(change, random));
            }
            long t0 = System.nanoTime();
            ScannedBitmap s = scan(big);
            long scanned = System.nanoTime();
            RoundPlan plan = RoundPlan.of(List.of(s), big.remembered == null ? Map.of()
                    : Map.of(s.id(), big.remembered), Set.of("vda"), true);
            String id = "big" + kind + "-m";
            watch.expect("big" + kind, "b0", s.digest().sha256());
            CpuClock cpu = CpuClock.start();
            long published = System.nanoTime();
            PublishResult p = publish(publisher, id, big.target, plan);
            long done = watch.await(id, TIMEOUT, () -> { });
            big.remembered = s.confirmed(id, System.currentTimeMillis());
            row.put(kind + "_scan_ms", (scanned - t0) / 1_000_000);
            row.put(kind + "_ms", (done - published) / 1_000_000);
            row.put(kind + "_records", p.records());
            row.put(kind + "_bytes", p.bytes());
            row.put(kind + "_stream_thread_cpu_ms", cpu.since().get("stream_thread_cpu_ms"));
        }
        row.put("result_ok", watch.mismatches() == 0);
        return row;
    }

    private static ScannedBitmap scan(Vm vm) {
        MigrationBitmap bitmap = new MigrationBitmap("vda", "b0", true, false, vm.bits);
        return ScannedBitmap.scan("vda", "b0", bitmap, new BitmapIdentity(vm.target, "vda", "b0"),
                System.currentTimeMillis());
    }

    private static PublishResult publish(MigrationPublisher publisher, String id, String target, RoundPlan plan)
            throws Exception {
        MigrationSpec spec = MigrationSpecs.of(id, target, null, null, System.currentTimeMillis());
        spec.setReplace(true);
        try (MigrationPlan p = new MigrationPlan(spec, RoundChunkSource.of(plan.sending()), List.of())) {
            return publisher.publish(p, PublishListener.NONE);
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static double median(List<Map<String, Object>> rows, String key) {
        List<Double> v = rows.stream().map(r -> ((Number) r.get(key)).doubleValue()).sorted().toList();
        return v.get(v.size() / 2);
    }

    private static double round4(double d) {
        return Math.round(d * 10_000) / 10_000.0;
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // a temporary directory
        }
    }
}
