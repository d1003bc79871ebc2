package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationOutcome;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.MigrationWatcher;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublisherSettings;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.topology.DestinationConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query API of two destination instances (own state directories, topics of 3 partitions,
 * exactly_once_v2) on the in-process broker, after the shared QEMU images were migrated through the
 * real source: whichever instance is asked, every bitmap shows QEMU's sha256 and count, its extents are
 * QEMU's own NBD dirty ranges and its raw bytes hash to QEMU's sha256.
 */
@ExtendWith(KafkaBrokerExtension.class)
class QueryApiIT {
    private static final String PREFIX = "it.query.";
    private static final Topics TOPICS = new Topics(PREFIX);
    /** Names with a space and UTF-8, sent percent-encoded. */
    private static final String TARGET = "vm 17 für";
    private static final List<String> IMAGES = List.of("img1", "img2");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The admin token every request of this test carries (instances forward it: no peer token is set). */
    private static final String TOKEN = AccessFile.newToken();

    @TempDir
    static Path tmp;
    private static QueryingDestination a;
    private static QueryingDestination b;
    private static java.time.Instant started;

    @BeforeAll
    static void migrate(KafkaBroker broker) throws Exception {
        started = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        ApiSecurity security = ApiSecurity.DEFAULTS.withAccess(Files.writeString(tmp.resolve("access"),
                AccessFile.line(TOKEN, AccessFile.Role.ADMIN, "test") + "\n"), null, false);
        a = QueryingDestination.start(config(broker, "a"), "127.0.0.1", 0, "127.0.0.1", security);
        assertThat(a.app().awaitRunning(Duration.ofSeconds(90))).isTrue();
        b = QueryingDestination.start(config(broker, "b"), "127.0.0.1", 0, "127.0.0.1", security);
        await(() -> a.app().ready() && b.app().ready());
        for (String image : IMAGES) {
            publish(broker, "q-" + image, TARGET, image);
        }
    }

    /** Migrates a shared QEMU image's bitmaps through the real source; returns once the migration completed. */
    private static void publish(KafkaBroker broker, String migration, String target, String image) throws Exception {
        publish(broker, migration, target, image, image, false);
    }

    private static void publish(KafkaBroker broker, String migration, String target, String image, String node,
            boolean replace) throws Exception {
        publish(broker, TOPICS, MigrationRequest.builder().migrationId(migration).target(target).replace(replace)
                .input(new MigrationInput.Qcow2Image(QemuTestData.image(image, tmp), node)).build());
    }

    /** Publishes {@code request} through the real source; returns once its migration completed. */
    static void publish(KafkaBroker broker, Topics topics, MigrationRequest request) throws Exception {
        MigrationOutcome outcome = outcome(broker, topics, request);
        assertThat(outcome.status()).as(outcome.reason()).isEqualTo(MigrationOutcome.Status.COMPLETED);
    }

    /** Publishes {@code request} through the real source; returns how its migration ended. */
    static MigrationOutcome outcome(KafkaBroker broker, Topics topics, MigrationRequest request) throws Exception {
        try (MigrationPublisher publisher = new MigrationPublisher(
                PublisherSettings.builder(broker.bootstrapServers()).topics(topics).transactional(true).build())) {
            publisher.publish(request, PublishListener.NONE);
        }
        try (MigrationWatcher watcher = new MigrationWatcher(broker.bootstrapServers(), topics, request.migrationId())) {
            return watcher.await(Duration.ofSeconds(120), e -> { });
        }
    }

    @AfterAll
    static void stop() {
        for (QueryingDestination d : new QueryingDestination[] {b, a}) {
            if (d != null) {
                d.close();
            }
        }
    }

    private static DestinationConfig config(KafkaBroker broker, String instance) {
        return config(broker, tmp.resolve("state-" + instance), PREFIX, "it-query");
    }

    /** An instance of a test application: 3 partitions, fast commits, a short session timeout. */
    static DestinationConfig config(KafkaBroker broker, Path state, String prefix, String application) {
        return DestinationConfig.defaults(broker.bootstrapServers(), state)
                .withTopicPrefix(prefix).withApplicationId(application)
                .withExtra(Map.of(DestinationConfig.TOPIC_PARTITIONS, "3",
                        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100",
                        StreamsConfig.consumerPrefix("session.timeout.ms"), "6000",
                        StreamsConfig.consumerPrefix("heartbeat.interval.ms"), "1500"));
    }

    @Test
    void everyBitmapHasQemusDigestExtentsAndBytesOnEitherInstance() throws Exception {
        // both instances hold some of the bitmaps (3 partitions), and each answers for all of them
        for (QueryingDestination asked : List.of(a, b)) {
            JsonNode list = json(get(asked, "/v1/targets/" + enc(TARGET) + "/bitmaps"));
            int expectedCount = 0;
            for (String image : IMAGES) {
                Map<String, List<String>> nbd = nbdRanges(image);
                for (JsonNode q : QemuTestData.expected(image + ".qcow2")) {
                    String name = q.get("name").asText();
                    expectedCount++;
                    String path = "/v1/targets/" + enc(TARGET) + "/bitmaps/" + image + "/" + enc(name);
                    JsonNode view = json(get(asked, path));
                    assertThat(view.get("state").asText()).isEqualTo("complete");
                    assertThat(view.get("sha256").asText()).as(name).isEqualTo(q.get("sha256").asText());
                    assertThat(view.get("count").asLong()).as(name).isEqualTo(q.get("count").asLong());
                    assertThat(view.get("granularity").asLong()).isEqualTo(q.get("granularity").asLong());
                    assertThat(view.get("size").asLong()).isEqualTo(q.get("size").asLong());
                    assertThat(java.time.Instant.parse(view.get("updated").asText())).as(name + " updated")
                            .isBetween(started, java.time.Instant.now());

                    byte[] raw = get(asked, path + "/raw").body();
                    assertThat(sha256Padded(raw)).as(name + " raw").isEqualTo(q.get("sha256").asText());

                    JsonNode extents = json(get(asked, path + "/extents"));
                    assertContiguous(extents, 0, q.get("size").asLong());
                    assertThat(dirty(extents)).as(name + " extents").isEqualTo(nbd.get(name));
                }
            }
            assertThat(list).hasSize(expectedCount);
            JsonNode targets = json(get(asked, "/v1/targets"));
            assertThat(targets.findValues("target").stream().map(JsonNode::asText)).contains(TARGET);
            targets.forEach(t -> {
                if (t.get("target").asText().equals(TARGET)) {
                    assertThat(t.get("bitmaps").asInt()).isEqualTo(list.size());
                }
            });
            // what those bitmaps are doing, merged from both instances' background reads: all complete
            QueryingDestination from = asked;
            JsonNode[] line = new JsonNode[1];
            await(() -> {
                try {
                    for (JsonNode t : json(get(from, "/v1/targets"))) {
                        if (t.get("target").asText().equals(TARGET) && t.get("complete").asInt() == list.size()) {
                            line[0] = t;
                        }
                    }
                    return line[0] != null;
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(line[0].get("loading").asInt()).isZero();
            assertThat(line[0].get("state").asText()).isIn("current", "lagging");
            assertThat(line[0].get("summaryAt").asText()).isNotBlank();
        }
    }

    @Test
    void extentWindowsAtUnalignedOffsetsAndPastTheEndAreClipped() throws Exception {
        String path = "/v1/targets/" + enc(TARGET) + "/bitmaps/img1/b64k/extents";
        // b64k dirty: [0,64K) [10M,11M) [100M,100M+64K) [512M,512M+64K) of a 1 GiB disk
        JsonNode w = json(get(a, path + "?start=1000&length=" + (10 * 1024 * 1024 + 5000 - 1000)));
        assertContiguous(w, 1000, 10 * 1024 * 1024 + 5000);
        assertThat(dirty(w)).containsExactly(range(1000, 65536), range(10485760, 10485760 + 5000));
        long size = 1L << 30;
        JsonNode tail = json(get(b, path + "?start=" + (size - 100) + "&length=1000000"));
        assertContiguous(tail, size - 100, size);
        JsonNode past = json(get(b, path + "?start=" + (size + 5) + "&length=10"));
        assertThat(past).isEmpty();
        assertThat(get(a, path + "?start=-1").statusCode()).isEqualTo(400);
        // start + length beyond 2^63: clipped to the disk, never an overflow into an empty answer
        JsonNode huge = json(get(a, path + "?start=1&length=" + Long.MAX_VALUE));
        assertContiguous(huge, 1, size);
        assertThat(dirty(huge)).startsWith(range(1, 65536));
    }

    @Test
    void headAnswersWhatGetWouldWithoutABody() throws Exception {
        String bitmap = "/v1/targets/" + enc(TARGET) + "/bitmaps/img1/b64k";
        for (QueryingDestination asked : List.of(a, b)) {
            for (String path : List.of("/v1/targets", "/v1/targets/" + enc(TARGET) + "/bitmaps", bitmap,
                    bitmap + "/extents?start=1&length=" + Long.MAX_VALUE, bitmap + "/raw")) {
                HttpResponse<byte[]> head = send(asked, "HEAD", path);
                assertThat(head.statusCode()).as(path).isEqualTo(200);
                assertThat(head.body()).as(path).isEmpty();
            }
            assertThat(send(asked, "HEAD", bitmap + "/raw").headers().firstValueAsLong("content-length"))
                    .hasValue((1L << 30) / 65536 / 8);
            assertThat(send(asked, "HEAD", bitmap + "x").statusCode()).isEqualTo(404);
            assertThat(send(asked, "HEAD", bitmap + "x/raw").statusCode()).isEqualTo(404);
            assertThat(send(asked, "HEAD", bitmap + "/extents?start=x").statusCode()).isEqualTo(400);
            assertThat(send(asked, "HEAD", "/v1/targets/" + "n".repeat(1024) + "/bitmaps").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void absentBitmapsAndTargetsAreNotFoundWithQemusWording() throws Exception {
        HttpResponse<byte[]> r = get(b, "/v1/targets/" + enc(TARGET) + "/bitmaps/img1/" + enc("no such ü"));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error").asText()).isEqualTo("Dirty bitmap 'no such ü' not found");
        assertThat(get(a, "/v1/targets/" + enc(TARGET) + "/bitmaps/img1/nothing/extents").statusCode()).isEqualTo(404);
        assertThat(json(get(a, "/v1/targets/other/bitmaps"))).isEmpty();
    }

    @Test
    void deleteRemovesACompletedBitmapFromEveryInstancesAnswers(KafkaBroker broker) throws Exception {
        String target = "vm/delete";
        publish(broker, "q-delete", target, "img1");
        String bitmaps = "/v1/targets/" + enc(target) + "/bitmaps";
        assertThat(json(get(a, bitmaps))).hasSize(4);
        HttpResponse<byte[]> deleted = send(b, "DELETE", bitmaps + "/img1/b4k");
        assertThat(deleted.statusCode()).isEqualTo(204);
        for (QueryingDestination asked : List.of(a, b)) {
            assertThat(get(asked, bitmaps + "/img1/b4k").statusCode()).isEqualTo(404);
            assertThat(json(get(asked, bitmaps)).findValues("name").stream().map(JsonNode::asText))
                    .containsExactlyInAnyOrder("b64k", "b1m", "bdis");
        }
        assertThat(send(a, "DELETE", bitmaps + "/img1/b4k").statusCode()).isEqualTo(404);
        // without the token nothing is removed
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(a.baseUrl() + bitmaps + "/img1/b64k")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(get(b, bitmaps + "/img1/b64k").statusCode()).isEqualTo(200);
    }

    @Test
    void aReplacingMigrationsBitmapsAnswerOnceComplete(KafkaBroker broker) throws Exception {
        String target = "vm-replace";
        publish(broker, "q-replace-1", target, "img1", "disk", false);
        // img2 holds b64k, b4k and bdis changed by qemu-img (and bmerged): the same names, other bits
        publish(broker, "q-replace-2", target, "img2", "disk", true);
        String bitmaps = "/v1/targets/" + target + "/bitmaps";
        for (QueryingDestination asked : List.of(a, b)) {
            JsonNode list = json(get(asked, bitmaps));
            assertThat(list.findValues("name").stream().map(JsonNode::asText))
                    .containsExactlyInAnyOrder("b1m", "b4k", "b64k", "bdis", "bmerged");
            for (JsonNode q : QemuTestData.expected("img2.qcow2")) {
                JsonNode view = json(get(asked, bitmaps + "/disk/" + q.get("name").asText()));
                assertThat(view.get("migration").asText()).isEqualTo("q-replace-2");
                assertThat(view.get("sha256").asText()).isEqualTo(q.get("sha256").asText());
                assertThat(sha256Padded(get(asked, bitmaps + "/disk/" + q.get("name").asText() + "/raw").body()))
                        .isEqualTo(q.get("sha256").asText());
            }
            assertThat(json(get(asked, bitmaps + "/disk/b1m")).get("migration").asText()).isEqualTo("q-replace-1");
        }
    }

    @Test
    void healthAndMetricsReportTheRunningDestination() throws Exception {
        assertThat(get(a, "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(b, "/health/ready").statusCode()).isEqualTo(200);
        // the binder picks up sensors created since its last look every few seconds
        await(() -> sum(scrape(), "kafka_stream_dbm_migrations_completed_total") >= IMAGES.size());
        String metrics = scrape();
        String ours = String.join("\n", metrics.lines().filter(l -> l.contains("dbm")).toList());
        assertThat(sum(metrics, "kafka_stream_dbm_chunks_loaded_total")).as(ours).isPositive();
        assertThat(sum(metrics, "kafka_stream_dbm_bitmaps_completed_total")).isGreaterThanOrEqualTo(8);
        assertThat(sum(metrics, "kafka_stream_dbm_migrations_completed_total")).isEqualTo(IMAGES.size());
        assertThat(metrics).contains("kafka_stream_dbm_complete_to_event_latency_max")
                .contains("kafka_stream_task_dropped_records_total");
        // never read: reading it after a task moved crashed the JVM in RocksDB (see DestinationMetrics)
        assertThat(metrics).doesNotContain("uncommitted_bytes");
        // how far each instance's store copies are behind their changelogs: a number once it runs (NaN before)
        assertThat(sum(metrics, "dbm_state_store_partitions")).as(ours).isPositive();
        assertThat(sum(metrics, "dbm_state_lag_records")).as(ours).isNotNaN().isNotNegative();
    }

    private static String scrape() {
        try {
            return new String(get(a, "/metrics").body(), java.nio.charset.StandardCharsets.UTF_8)
                    + new String(get(b, "/metrics").body(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sum of the samples of a Prometheus metric (all label sets). */
    static double sum(String text, String metric) {
        double total = 0;
        Matcher m = Pattern.compile("(?m)^" + metric + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }

    static void assertContiguous(JsonNode extents, long start, long end) {
        long at = start;
        Boolean last = null;
        for (JsonNode e : extents) {
            assertThat(e.get("start").asLong()).isEqualTo(at);
            assertThat(e.get("length").asLong()).isPositive();
            assertThat(e.get("dirty").asBoolean()).as("adjacent runs merged").isNotEqualTo(last);
            last = e.get("dirty").asBoolean();
            at += e.get("length").asLong();
        }
        assertThat(at).isEqualTo(end);
    }

    /** The dirty extents as QEMU's {@code [start,end)} ranges. */
    static List<String> dirty(JsonNode extents) {
        List<String> out = new ArrayList<>();
        extents.forEach(e -> {
            if (e.get("dirty").asBoolean()) {
                out.add(range(e.get("start").asLong(), e.get("start").asLong() + e.get("length").asLong()));
            }
        });
        return out;
    }

    /** QEMU's NBD dirty ranges per bitmap ({@code expected/IMAGE.nbd.txt}). */
    static String range(long start, long end) {
        return "[" + start + "," + end + ")";
    }

    static Map<String, List<String>> nbdRanges(String image) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        for (QemuTestData.NbdDirty b : QemuTestData.nbdDirty(QemuTestData.dir().resolve("expected/" + image + ".nbd.txt"))) {
            out.put(b.name(), b.ranges().stream().map(r -> range(r[0], r[1])).toList());
        }
        return out;
    }

    static String sha256Padded(byte[] raw) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Arrays.copyOf(raw, (raw.length + 7) / 8 * 8)));
    }

    static String enc(String segment) {
        return Peers.segment(segment);
    }

    static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return QueryRoutes.JSON.readTree(r.body());
    }

    static HttpResponse<byte[]> get(QueryingDestination d, String path) throws Exception {
        return send(d, "GET", path);
    }

    static HttpResponse<byte[]> send(QueryingDestination d, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(d.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 90 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
