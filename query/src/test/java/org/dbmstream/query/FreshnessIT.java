package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.sync.RoundResult;
import org.dbmstream.source.sync.SyncSession;
import org.dbmstream.topology.DestinationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * How current a replica is, in the query API and on /metrics (DESIGN.md section 12): versions, which migration
 * made the current one, when the source read it and when the replica completed it; a replica of an enabled
 * bitmap is marked lagging with its age, one of a disabled bitmap is not; the replication-lag histogram, the
 * delta/full counters and the oldest lagging replica's age per target.
 */
@ExtendWith(KafkaBrokerExtension.class)
class FreshnessIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "vm-fresh";

    @TempDir
    Path tmp;

    @Test
    void replicasSayHowCurrentTheyAre(KafkaBroker broker) throws Exception {
        Topics topics = new Topics("fresh.");
        DirtyBitmap enabled = new DirtyBitmap(1L << 30, Granularity.of(65536));
        enabled.markDirty(0, 1 << 20);
        DirtyBitmap disabled = new DirtyBitmap(1L << 30, Granularity.of(65536));
        disabled.markDirty(1 << 20, 1 << 20);
        DestinationConfig config = DestinationConfig.defaults(broker.bootstrapServers(), tmp.resolve("state"))
                .withTopicPrefix(topics.prefix()).withApplicationId("it-fresh")
                .withExtra(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100"));
        try (QueryingDestination d = QueryingDestination.start(config, "127.0.0.1", 0, "127.0.0.1");
                SyncSession sync = SyncSession.open(new SyncSession.Settings(broker.bootstrapServers(), topics,
                        Map.of(), TARGET, "fresh-it", Duration.ofSeconds(90), true, 0))) {
            assertThat(d.app().awaitRunning(Duration.ofSeconds(90))).isTrue();
            sync.round(request(enabled, disabled));
            JsonNode first = get(d, "/v1/targets/" + TARGET + "/bitmaps/disk0/on").get("freshness");
            assertThat(first.get("versions").asLong()).isEqualTo(1);
            assertThat(first.get("lagging").asBoolean()).isTrue();
            assertThat(first.get("age").asDouble()).isGreaterThanOrEqualTo(0);
            assertThat(first.get("sourceRead").asText()).isNotBlank();
            assertThat(first.get("completed").asText()).isNotBlank();
            JsonNode off = get(d, "/v1/targets/" + TARGET + "/bitmaps/disk0/off").get("freshness");
            assertThat(off.get("lagging").asBoolean()).isFalse();
            // the target's line says the same, from the background read of its bitmaps (a second or so later)
            JsonNode target = awaitTarget(d, t -> t.get("complete").asLong() == 2);
            assertThat(target.get("state").asText()).isEqualTo("lagging");
            assertThat(target.get("lagging").asLong()).isEqualTo(1);
            assertThat(target.get("loading").asLong()).isZero();
            assertThat(target.get("lagAge").asDouble()).isGreaterThanOrEqualTo(0).isLessThan(120);
            assertThat(java.time.Instant.parse(target.get("lastCompleted").asText())).as("the later completion")
                    .isEqualTo(java.util.Collections.max(List.of(java.time.Instant.parse(first.get("completed").asText()),
                            java.time.Instant.parse(off.get("completed").asText()))));

            enabled.markDirty(500L << 20, 4096);
            RoundResult second = sync.round(request(enabled, disabled));
            JsonNode now = get(d, "/v1/targets/" + TARGET + "/bitmaps/disk0/on");
            assertThat(now.get("freshness").get("versions").asLong()).isEqualTo(2);
            assertThat(now.get("freshness").get("lastMigration").asText()).isEqualTo(second.migrations().get(0));
            assertThat(now.get("sha256").asText()).isEqualTo(enabled.sha256());

            String metrics = text(d, "/metrics");
            assertThat(metrics).contains("dbm_replication_lag_seconds_bucket{le=")
                    .contains("dbm_replica_versions_total{kind=\"delta\"} 1.0")
                    .contains("dbm_replica_versions_total{kind=\"full\"} 2.0")
                    .contains("dbm_replica_oldest_age_seconds{target=\"" + TARGET + "\"}");
        }
    }

    private static MigrationRequest request(DirtyBitmap on, DirtyBitmap off) {
        return MigrationRequest.builder().target(TARGET)
                .input(new MigrationInput.InMemoryBitmap("disk0", "on", on, true, false))
                .input(new MigrationInput.InMemoryBitmap("disk0", "off", off, false, true)).build();
    }

    /** The target's line of {@code GET /v1/targets} once {@code done} holds for it (within 30 s). */
    private static JsonNode awaitTarget(QueryingDestination d, java.util.function.Predicate<JsonNode> done)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            for (JsonNode t : get(d, "/v1/targets")) {
                if (t.get("target").asText().equals(TARGET) && !t.get("complete").isNull() && done.test(t)) {
                    return t;
                }
            }
            assertThat(System.nanoTime()).as("the target's summary in time").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static JsonNode get(QueryingDestination d, String path) throws Exception {
        return JSON.readTree(text(d, path));
    }

    private static String text(QueryingDestination d, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(d.baseUrl() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
