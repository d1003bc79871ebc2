package org.dbmstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
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
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.query.QueryingDestination;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationConfig;

/**
 * The query API's costs, measured on a destination with an in-process broker: the extents and the raw
 * bytes of one large bitmap (time, bytes, and the peak heap growth of this JVM, which runs the
 * destination, while the answer streams), and the list of many bitmaps of one target (time).
 */
public final class QueryBench {
    public static final int DEFAULT_BITMAP_MIB = 256;
    public static final int DEFAULT_LIST_BITMAPS = 10_000;
    private static final Granularity GRANULARITY = Granularity.of(512);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(30);

    private QueryBench() {
    }

    public static void run(int bitmapMib, int listBitmaps, PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("dbm-bench-query");
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
            Topics topics = new Topics("bench-query.");
            broker.createTopics(3, topics.chunks(), topics.events(), topics.writes(), topics.dlq(),
                    topics.prefix() + DestinationConfig.CONTROL_TOPIC);
            broker.createTopic(topics.migrations(), 3, Map.of("cleanup.policy", "compact"));
            DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), work.resolve("state"))
                    .withTopicPrefix(topics.prefix()).withApplicationId("bench-query")
                    .withExtra(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000"));
            try (QueryingDestination destination = QueryingDestination.start(config, "127.0.0.1", 0, "127.0.0.1")) {
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("type", "summary");
                summary.putAll(large(broker, topics, destination, bitmapMib, out));
                summary.putAll(list(broker, topics, destination, listBitmaps, out));
                out.println(JSON.writeValueAsString(summary));
            }
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Map<String, Object> large(EmbeddedKafkaBroker broker, Topics topics, QueryingDestination d,
            int mib, PrintStream out) throws Exception {
        long bits = (long) mib << 23;
        StripedBitmap striped = new StripedBitmap(bits * GRANULARITY.bytes(), GRANULARITY);
        ChunkPublisher.publish(broker.bootstrapServers(), topics, "bench-large", "bench",
                List.of(new MigrationBitmap("disk0", "large", true, true, striped)), ChunkSize.KAFKA_DEFAULT);
        String path = d.baseUrl() + "/v1/targets/bench/bitmaps/disk0/large";
        awaitComplete(path);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bitmap_mib", mib);
        row.put("disk_gib", striped.diskSize() >> 30);
        Measured extents = measure(path + "/extents");
        row.put("extents", extents.count());
        row.put("extents_expected", bits / 8 / 1024 * 2);
        row.put("extents_json_mib", round(extents.bytes() / 1048576.0));
        row.put("extents_s", round(extents.seconds()));
        row.put("extents_peak_heap_growth_mib", round(extents.peakHeapGrowth() / 1048576.0));
        Measured raw = measure(path + "/raw");
        row.put("raw_mib", round(raw.bytes() / 1048576.0));
        row.put("raw_s", round(raw.seconds()));
        row.put("raw_mib_per_s", round(raw.bytes() / 1048576.0 / raw.seconds()));
        row.put("raw_peak_heap_growth_mib", round(raw.peakHeapGrowth() / 1048576.0));
        row.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        Map<String, Object> line = new LinkedHashMap<>(row);
        line.put("type", "large");
        out.println(JSON.writeValueAsString(line));
        return row;
    }

    private static Map<String, Object> list(EmbeddedKafkaBroker broker, Topics topics, QueryingDestination d,
            int count, PrintStream out) throws Exception {
        StripedBitmap small = new StripedBitmap(8192 * 64 * 1024L, Granularity.of(64 * 1024));
        List<MigrationBitmap> bitmaps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bitmaps.add(new MigrationBitmap("disk" + (i % 8), "bitmap-" + i, true, true, small));
        }
        ChunkPublisher.publish(broker.bootstrapServers(), topics, "bench-list", "fleet", bitmaps,
                ChunkSize.KAFKA_DEFAULT);
        String url = d.baseUrl() + "/v1/targets/fleet/bitmaps";
        long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
        while (completeCount(url) < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + count + " bitmaps did not complete within " + LOAD_TIMEOUT);
            }
            Thread.sleep(500);
        }
        List<Double> seconds = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            seconds.add(measure(url).seconds());
        }
        seconds.sort(Double::compare);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("list_bitmaps", count);
        row.put("list_s_median", round(seconds.get(2)));
        row.put("list_s_min", round(seconds.get(0)));
        Map<String, Object> line = new LinkedHashMap<>(row);
        line.put("type", "list");
        out.println(JSON.writeValueAsString(line));
        return row;
    }

    private static long completeCount(String url) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            return 0;
        }
        long n = 0;
        for (JsonNode b : JSON.readTree(r.body())) {
            n += "complete".equals(b.get("state").asText()) ? 1 : 0;
        }
        return n;
    }

    private static void awaitComplete(String url) throws Exception {
        long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
        while (true) {
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200 && "complete".equals(JSON.readTree(r.body()).get("state").asText())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the bitmap did not complete within " + LOAD_TIMEOUT);
            }
            Thread.sleep(500);
        }
    }

    /** One request read to its end; {@code count} is the number of JSON objects ('{') in the body. */
    private record Measured(long bytes, long count, double seconds, long peakHeapGrowth) {
    }

    private static Measured measure(String url) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(baseline);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long started = System.nanoTime();
        long bytes = 0;
        long objects = 0;
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    objects += buf[i] == '{' ? 1 : 0;
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        sampler.interrupt();
        sampler.join();
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode());
        }
        return new Measured(bytes, objects, seconds, Math.max(0, peak.get() - baseline));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
