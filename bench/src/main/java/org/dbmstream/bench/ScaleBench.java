package org.dbmstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.query.QueryingDestination;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationConfig;

/**
 * {@code dbm bench scale}: one destination instance holding a fleet's bitmaps. {@code targets} VMs publish
 * one migration each of {@code perTarget} bitmaps (a 1 GiB disk at 64 KiB granularity: 2 KiB of bitmap, one
 * chunk each; a fleet of 10,000 VMs with 10 backup bitmaps is 100,000 bitmaps), back to back, to
 * a destination with its query API and an in-process broker in this JVM. Then: the heap in use after a full
 * GC, the time of {@code GET /v1/targets} and of one target's {@code GET /v1/targets/{t}/bitmaps} (median
 * of 5, answers checked), the state directory's size, and the restart: the destination closed cleanly and
 * started again on its state directory, timed to {@code /health/ready} and to the first complete list of
 * targets. A benchmark, never a test: nothing here asserts a figure.
 */
public final class ScaleBench {
    public static final int DEFAULT_TARGETS = 10_000;
    public static final int DEFAULT_BITMAPS_PER_TARGET = 10;
    private static final Granularity GRANULARITY = Granularity.of(64 * 1024);
    private static final int PARTITIONS = 3;
    private static final Duration TIMEOUT = Duration.ofMinutes(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final double MIB = 1 << 20;

    private ScaleBench() {
    }

    /** Runs the bench, printing JSON lines; returns the summary (the last line). */
    public static Map<String, Object> run(int targets, int perTarget, PrintStream out) throws Exception {
        if (targets < 1 || perTarget < 1) {
            throw new IllegalArgumentException("need at least one target and one bitmap per target");
        }
        Path work = Files.createTempDirectory("dbm-bench-scale-");
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("type", "summary");
        summary.put("bench", "scale");
        summary.put("targets", targets);
        summary.put("bitmaps", (long) targets * perTarget);
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
            Topics topics = new Topics("bench-scale.");
            broker.createTopics(PARTITIONS, topics.chunks(), topics.events(), topics.writes(), topics.dlq(),
                    topics.prefix() + DestinationConfig.CONTROL_TOPIC);
            broker.createTopic(topics.migrations(), PARTITIONS, Map.of("cleanup.policy", "compact"));
            DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), work.resolve("state"))
                    .withTopicPrefix(topics.prefix()).withApplicationId("bench-scale");
            String one = target(targets / 2);
            try (QueryingDestination d = QueryingDestination.start(config, "127.0.0.1", 0, "127.0.0.1")) {
                summary.putAll(load(broker, topics, d, targets, perTarget, out));
                summary.putAll(queries(d.baseUrl(), targets, perTarget, one, out));
                summary.put("heap_after_gc_mib", round(heapAfterGc() / MIB));
                summary.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
            }
            summary.put("state_dir_mib", round(TopologyRun.sizeOf(work.resolve("state")) / MIB));
            summary.putAll(restart(config, targets, perTarget, one, out));
        } finally {
            TopologyBench.deleteQuietly(work);
        }
        // issue 21's targets for one instance holding 100,000 bitmaps
        summary.put("target_heap", ((Number) summary.get("heap_after_gc_mib")).doubleValue() < 512);
        summary.put("target_queries", ((Number) summary.get("targets_list_s")).doubleValue() < 1
                && ((Number) summary.get("target_list_s")).doubleValue() < 1);
        out.println(JSON.writeValueAsString(summary));
        return summary;
    }

    /** Publishes every target's migration back to back and waits until each completed. */
    private static Map<String, Object> load(EmbeddedKafkaBroker broker, Topics topics, QueryingDestination d,
            int targets, int perTarget, PrintStream out) throws Exception {
        StripedBitmap bits = new StripedBitmap(1L << 30, GRANULARITY);
        List<MigrationBitmap> bitmaps = new ArrayList<>();
        for (int i = 0; i < perTarget; i++) {
            bitmaps.add(new MigrationBitmap("disk" + (i % 2), "backup-" + i, true, true, bits));
        }
        String sha256 = TopologyBench.digest(bits).sha256();
        Map<String, Object> row = new LinkedHashMap<>();
        try (CompletionWatch watch = new CompletionWatch(broker.bootstrapServers(), topics.events());
                ChunkPublisher publisher = new ChunkPublisher(broker.bootstrapServers(), topics,
                        ChunkSize.KAFKA_DEFAULT)) {
            bitmaps.forEach(b -> watch.expect("vm", b.bitmapAlias(), sha256));
            long started = System.nanoTime();
            long records = 0;
            for (int t = 0; t < targets; t++) {
                records += publisher.send(target(t), target(t), bitmaps).records();
            }
            long published = System.nanoTime();
            long last = 0;
            for (int t = 0; t < targets; t++) {
                last = Math.max(last, watch.await(target(t), TIMEOUT, () -> checkRunning(d)));
            }
            row.put("records", records);
            row.put("publish_s", round((published - started) / 1e9));
            row.put("load_s", round((last - started) / 1e9));
            row.put("bitmaps_per_s", round((double) targets * perTarget / ((last - started) / 1e9)));
            row.put("results_ok", watch.mismatches() == 0);
        }
        Map<String, Object> line = new LinkedHashMap<>(row);
        line.put("type", "load");
        out.println(JSON.writeValueAsString(line));
        return row;
    }

    /** The fleet's list of targets and one target's bitmaps, five times each: median and first, answers checked. */
    private static Map<String, Object> queries(String base, int targets, int perTarget, String one, PrintStream out)
            throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        List<Double> all = timed(base + "/v1/targets", body -> body.size() == targets);
        List<Double> list = timed(base + "/v1/targets/" + one + "/bitmaps", body -> body.size() == perTarget
                && java.util.stream.StreamSupport.stream(body.spliterator(), false)
                        .allMatch(b -> "complete".equals(b.path("state").asText())));
        row.put("targets_list_s", median(all));
        row.put("targets_list_runs_s", all);
        row.put("target_list_s", median(list));
        row.put("target_list_runs_s", list);
        Map<String, Object> line = new LinkedHashMap<>(row);
        line.put("type", "queries");
        out.println(JSON.writeValueAsString(line));
        return row;
    }

    /** Closes nothing itself: starts a destination on the state directory left behind and times it to ready. */
    private static Map<String, Object> restart(DestinationConfig config, int targets, int perTarget, String one,
            PrintStream out) throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        long started = System.nanoTime();
        try (QueryingDestination d = QueryingDestination.start(config, "127.0.0.1", 0, "127.0.0.1")) {
            long deadline = started + TIMEOUT.toNanos();
            while (status(d.baseUrl() + "/health/ready") != 200) {
                checkDeadline(deadline, "ready");
                Thread.sleep(20);
            }
            row.put("restart_to_ready_s", round((System.nanoTime() - started) / 1e9));
            while (!answers(d.baseUrl() + "/v1/targets", body -> body.size() == targets)) {
                checkDeadline(deadline, "a complete list of targets");
                Thread.sleep(20);
            }
            row.put("restart_to_full_list_s", round((System.nanoTime() - started) / 1e9));
            row.put("target_list_after_restart_s", median(timed(d.baseUrl() + "/v1/targets/" + one + "/bitmaps",
                    body -> body.size() == perTarget)));
        }
        Map<String, Object> line = new LinkedHashMap<>(row);
        line.put("type", "restart");
        out.println(JSON.writeValueAsString(line));
        return row;
    }

    /** Seconds of 5 requests in a row, each checked. */
    private static List<Double> timed(String url, Predicate<JsonNode> check) throws Exception {
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            seconds.add(round((System.nanoTime() - t0) / 1e9));
            if (r.statusCode() != 200 || !check.test(JSON.readTree(r.body()))) {
                throw new IllegalStateException(url + " answered " + r.statusCode() + " with other content");
            }
        }
        return seconds;
    }

    private static boolean answers(String url, Predicate<JsonNode> check) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return r.statusCode() == 200 && check.test(JSON.readTree(r.body()));
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("no " + what + " within " + TIMEOUT);
        }
    }

    private static void checkRunning(QueryingDestination d) {
        if (d.app().streams().state() == org.apache.kafka.streams.KafkaStreams.State.ERROR) {
            throw new IllegalStateException("the destination failed");
        }
    }

    /** Heap in use after full GCs (the broker, the destination and this bench share the JVM). */
    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String target(int t) {
        return String.format("vm-%05d", t);
    }

    private static double median(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
