package org.dbmstream.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.dbmstream.bench.ChangelogCount;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.cli.process.ChildJvm;
import org.dbmstream.topology.store.StoreNames;

/**
 * {@code dbm bench live}: a running destination fed from other processes, as an operator runs it. A
 * {@code dbm destination} (with its in-process broker) starts in a child JVM, or an already running one is
 * used; then {@code runs} migrations of the same random bitmap to different targets, each by a {@code dbm
 * migrate} child process, alternating the raw bitmap file and the same bitmap as a QEMU migration stream,
 * after {@code warmups} untimed ones (printed, not summarized).
 * Per run it prints the wall time, the bytes the destination's JVM (broker included) wrote to disk, in all,
 * per bitmap byte and per group of threads, and the records the bits store's changelog received per chunk;
 * the summary gives the extremes and the slowest/fastest ratio. Issue 21's defect (every other run writing
 * 64 KiB per 1 KiB chunk) showed only here: the other benches start a fresh destination per case.
 * A benchmark, never a test: nothing here asserts a figure.
 */
public final class LiveBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BROKER = Pattern.compile("In-process Kafka broker on (\\S+) ");
    private static final Duration READY = Duration.ofMinutes(3);
    private static final double MIB = 1 << 20;

    /**
     * @param warmups         migrations first, untimed (the destination's JIT warms up as in a running service)
     * @param runs            migrations, one after the other
     * @param bitmapMib       size of the random bitmap
     * @param granularity     its granularity (the disk is bitmap bits x granularity)
     * @param chunkSize       the publishers' {@code --chunk-size}
     * @param dir             where inputs, state and logs go
     * @param bootstrap       a running destination's brokers, or null to start one in a child JVM
     * @param destinationPid  that destination's process id (its disk writes are measured), with {@code bootstrap}
     * @param applicationId   its application id (names the changelog topic)
     */
    public record Settings(int warmups, int runs, int bitmapMib, Granularity granularity, ChunkSize chunkSize, Path dir,
            String bootstrap, long destinationPid, String applicationId) {
    }

    private LiveBench() {
    }

    /** Runs the bench, printing one JSON line per run and the summary; returns the summary. */
    public static Map<String, Object> run(Settings s, PrintStream out) throws Exception {
        Files.createDirectories(s.dir());
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("type", "setup");
        setup.put("bitmap_mib", s.bitmapMib());
        setup.put("granularity", s.granularity().bytes());
        setup.put("chunk_size", s.chunkSize().toString());
        setup.put("load_average", loadAverage());
        long t = System.nanoTime();
        LiveInputs inputs = LiveInputs.write(s.dir(), s.bitmapMib(), s.granularity(), 21);
        setup.put("inputs_written_s", seconds(System.nanoTime() - t));
        setup.put("disk_size", inputs.diskSize());
        ChildJvm destination = null;
        try {
            String bootstrap = s.bootstrap();
            long pid = s.destinationPid();
            if (bootstrap == null) {
                destination = ChildJvm.start(s.dir().resolve("destination.log"), "2g", List.of("destination",
                        "--http-port", "0", "--state-dir", s.dir().resolve("state").toString()));
                if (!destination.awaitOutput("Query API on", READY)) {
                    throw new IllegalStateException("the destination did not start; see " + s.dir().resolve("destination.log"));
                }
                Matcher m = BROKER.matcher(Files.readString(s.dir().resolve("destination.log")));
                if (!m.find()) {
                    throw new IllegalStateException("no broker address in " + s.dir().resolve("destination.log"));
                }
                bootstrap = m.group(1);
                pid = destination.pid();
            }
            setup.put("destination_pid", pid);
            setup.put("bootstrap_servers", bootstrap);
            out.println(JSON.writeValueAsString(setup));
            List<Map<String, Object>> rows = runs(s, inputs, bootstrap, new ProcessIo(pid), out);
            Map<String, Object> summary = summary(s, inputs, rows);
            out.println(JSON.writeValueAsString(summary));
            return summary;
        } finally {
            if (destination != null) {
                destination.stop();
            }
        }
    }

    private static List<Map<String, Object>> runs(Settings s, LiveInputs inputs, String bootstrap, ProcessIo io,
            PrintStream out) throws Exception {
        String changelog = s.applicationId() + "-" + StoreNames.BITS + "-changelog";
        Map<TopicPartition, Long> offsets = new HashMap<>();
        ChangelogCount.committedSince(bootstrap, changelog, offsets);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int run = 1 - s.warmups(); run <= s.runs(); run++) {
            String target = run < 1 ? "live-warmup-" + (1 - run) : "live-" + run;
            List<String> args = new ArrayList<>(List.of("migrate", "--bootstrap-servers", bootstrap, "--target",
                    target, "--chunk-size", s.chunkSize().toString(), "--timeout", "60m", "--json"));
            args.addAll(inputs.migrateInput(run));
            Path log = s.dir().resolve("migrate-" + target + ".log");
            ProcessIo.Snapshot before = io.read();
            long t0 = System.nanoTime();
            int exit = ChildJvm.start(log, "1g", args).waitFor();
            long nanos = System.nanoTime() - t0;
            ProcessIo.Snapshot after = io.read();
            ChangelogCount.Delta changes = ChangelogCount.committedSince(bootstrap, changelog, offsets);
            Map<String, Long> written = ProcessIo.written(before, after);
            JsonNode completed = completed(log);
            long chunks = completed == null ? -1 : completed.path("chunks").asLong(-1);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("type", run < 1 ? "warmup" : "run");
            row.put("run", run);
            row.put("input", Math.floorMod(run, 2) == 1 ? "raw" : "qemu-stream");
            row.put("exit", exit);
            row.put("seconds", seconds(nanos));
            row.put("bitmap_mib_per_s", round(inputs.bitmapBytes() / MIB / (nanos / 1e9)));
            row.put("written_mib", round(written.get("total") / MIB));
            row.put("written_per_bitmap_byte", round((double) written.get("total") / inputs.bitmapBytes()));
            Map<String, Object> by = new LinkedHashMap<>();
            written.forEach((k, v) -> {
                if (!k.equals("total")) {
                    by.put(k + "_mib", round(v / MIB));
                }
            });
            row.put("written_by", by);
            row.put("bits_chunks", chunks);
            row.put("changelog_records", changes.records());
            row.put("changelog_offsets", changes.offsets());
            row.put("changelog_records_per_chunk", chunks > 0 ? round((double) changes.records() / chunks) : -1);
            // per 1 KiB of bitmap, QEMU's chunk: issue 14 measured about 1/64 there
            row.put("changelog_records_per_kib", round(changes.records() * 1024.0 / inputs.bitmapBytes()));
            row.put("result_ok", exit == 0 && completed != null && inputs.sha256().equals(completed.path("sha256").asText()));
            row.put("load_average", loadAverage());
            if (run >= 1) {
                rows.add(row);
            }
            out.println(JSON.writeValueAsString(row));
        }
        return rows;
    }

    private static Map<String, Object> summary(Settings s, LiveInputs inputs, List<Map<String, Object>> rows) {
        double fastest = rows.stream().mapToDouble(r -> (double) r.get("seconds")).min().orElse(0);
        double slowest = rows.stream().mapToDouble(r -> (double) r.get("seconds")).max().orElse(0);
        double maxWritten = rows.stream().mapToDouble(r -> (double) r.get("written_mib")).max().orElse(0);
        double maxPerKib = rows.stream().mapToDouble(r -> (double) r.get("changelog_records_per_kib")).max().orElse(0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "summary");
        m.put("runs", rows.size());
        m.put("bitmap_mib", s.bitmapMib());
        m.put("chunk_size", s.chunkSize().toString());
        m.put("fastest_s", fastest);
        m.put("slowest_s", slowest);
        m.put("slowest_over_fastest", fastest > 0 ? round(slowest / fastest) : -1);
        m.put("seconds_by_run", rows.stream().map(r -> r.get("seconds")).toList());
        m.put("max_written_mib", maxWritten);
        m.put("written_mib_by_run", rows.stream().map(r -> r.get("written_mib")).toList());
        m.put("max_written_per_bitmap_byte", round(maxWritten * MIB / inputs.bitmapBytes()));
        m.put("max_changelog_records_per_kib", maxPerKib);
        m.put("changelog_records_by_run", rows.stream().map(r -> r.get("changelog_records")).toList());
        // issue 21's targets, per 128 MiB of bitmap: at most 2 GiB written, 2 changelog records per 64 KiB
        m.put("target_written", maxWritten <= 2048.0 * s.bitmapMib() / 128);
        m.put("target_changelog", maxPerKib <= 2.0 / 64);
        m.put("target_slowest_over_fastest", fastest > 0 && slowest / fastest <= 2);
        m.put("results_ok", rows.stream().allMatch(r -> Boolean.TRUE.equals(r.get("result_ok"))));
        m.put("load_average", loadAverage());
        return m;
    }

    /** The BitmapCompleted event {@code dbm migrate --json} printed, or null. */
    private static JsonNode completed(Path log) throws IOException {
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("{")) {
                JsonNode n = JSON.readTree(line);
                if ("BitmapCompleted".equals(n.path("type").asText())) {
                    return n;
                }
            }
        }
        return null;
    }

    /** The 1-minute load average, what else ran on the machine meanwhile (-1 without /proc). */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double seconds(long nanos) {
        return round(nanos / 1e9);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
