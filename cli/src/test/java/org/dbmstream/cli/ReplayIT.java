package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.cli.replay.ReplayRun;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationOutcome;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.MigrationWatcher;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublisherSettings;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbm replay} (issue 9): two QEMU images migrated to a live destination, then replayed from the
 * chunks topic, one migration and all, under fresh application ids on topics of their own. Every bitmap
 * is rebuilt with the sha256/count the live destination reported, which are QEMU's own.
 */
class ReplayIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "live.";

    @Test
    void replayOfOneMigrationAndOfAllReproducesSha256AndCount(@TempDir Path tmp) throws Exception {
        Map<String, String> qemu = new HashMap<>();
        for (String line : Files.readAllLines(InspectCommandTest.testdata().resolve("expected/sha256.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            qemu.put(n.get("image").asText() + "/" + n.get("name").asText(),
                    n.get("sha256").asText() + " " + n.get("count").asLong());
        }
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start();
                DestinationApp live = new DestinationApp(DestinationConfig.defaults(broker.bootstrapServers(),
                        tmp.resolve("live")).withTopicPrefix(PREFIX).withExtra(
                                Map.of(DestinationConfig.TOPIC_PARTITIONS, "3"))).start()) {
            assertThat(live.awaitRunning(Duration.ofSeconds(120))).isTrue();
            migrate(broker, "img1", tmp);
            migrate(broker, "img2", tmp);

            ReplayRun.Result one = replay(broker, "img1", tmp.resolve("replay-one"));
            assertThat(one.migrations()).containsExactly("mig-img1");
            assertThat(one.rows()).hasSize(4).allMatch(ReplayRun.Row::equal);
            assertThat(one.allEqual()).isTrue();

            ReplayRun.Result all = replay(broker, null, tmp.resolve("replay-all"));
            assertThat(all.migrations()).containsExactlyInAnyOrder("mig-img1", "mig-img2");
            assertThat(all.rows()).hasSize(8).allMatch(ReplayRun.Row::equal);
            for (ReplayRun.Row row : all.rows()) {
                String image = row.migration().substring("mig-".length()) + ".qcow2";
                assertThat(row.replaySha256() + " " + row.replayCount()).as(row.toString())
                        .isEqualTo(qemu.get(image + "/" + row.bitmap()));
            }
            refusesToReplayIntoLiveTopicsOrFromMissingOnes(broker);
        }
    }

    /** Issue 25 item 5: a replay never writes among the live topics, and a wrong live prefix creates nothing. */
    private static void refusesToReplayIntoLiveTopicsOrFromMissingOnes(EmbeddedKafkaBroker broker) throws Exception {
        java.util.Set<String> before = topics(broker);
        for (String prefix : List.of(PREFIX, "live", "live.replay-1.", "")) {
            DbmRun run = DbmRun.of("replay", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", PREFIX,
                    "--replay-prefix", prefix);
            assertThat(run.exit()).as(prefix + ": " + run.err()).isEqualTo(2);
            assertThat(run.err()).contains("--replay-prefix '" + prefix + "' overlaps the live topics' prefix 'live.'");
        }
        DbmRun nosuch = DbmRun.of("replay", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", "nosuch.");
        assertThat(nosuch.exit()).as(nosuch.err()).isEqualTo(2);
        assertThat(nosuch.err()).startsWith("dbm replay: --topic-prefix 'nosuch.': nosuch.migrations, nosuch.chunks, "
                + "nosuch.events do not exist on " + broker.bootstrapServers());
        assertThat(topics(broker)).isEqualTo(before);
    }

    private static java.util.Set<String> topics(EmbeddedKafkaBroker broker) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            return admin.listTopics().names().get();
        }
    }

    private static void migrate(EmbeddedKafkaBroker broker, String image, Path tmp) throws Exception {
        Path qcow2 = BitmapFiles.gunzipToTemp(InspectCommandTest.testdata().resolve("images/" + image + ".qcow2.gz"));
        try (MigrationPublisher p = new MigrationPublisher(PublisherSettings.builder(broker.bootstrapServers())
                .topics(new Topics(PREFIX)).build());
                MigrationWatcher w = new MigrationWatcher(broker.bootstrapServers(), new Topics(PREFIX), "mig-" + image)) {
            p.publish(MigrationRequest.builder().migrationId("mig-" + image).target("vm-" + image)
                    .input(new MigrationInput.Qcow2Image(qcow2, "disk0")).build(), PublishListener.NONE);
            assertThat(w.await(Duration.ofSeconds(120), e -> { }).status()).isEqualTo(MigrationOutcome.Status.COMPLETED);
        } finally {
            Files.deleteIfExists(qcow2);
        }
    }

    private static ReplayRun.Result replay(EmbeddedKafkaBroker broker, String image, Path state) throws Exception {
        String id = image == null ? "all" : image;
        return new ReplayRun(new ReplayRun.Settings(broker.bootstrapServers(), new Topics(PREFIX),
                image == null ? null : "mig-" + image, null, "replay-" + id, "replay-" + id + ".", state, Map.of(),
                Duration.ofSeconds(120))).run();
    }
}
