package org.dbmstream.source;

import org.dbmstream.testkit.QemuTestData;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code dbm migrate} does, end to end on real components: publish a qcow2 image's bitmaps, let the
 * real destination topology load them, and follow the migration's events with the watcher; the
 * BitmapCompleted events carry QEMU's own sha256 and count.
 */
@ExtendWith(KafkaBrokerExtension.class)
class EndToEndIT {
    @TempDir
    Path dir;

    @Test
    void img1ThroughTheDestinationCompletesWithQemusSha256(KafkaBroker broker) throws Exception {
        Topics topics = new Topics("e2e.");
        Path img = QemuTestData.image("img1", dir);
        try (DestinationApp ignored = Destination.start(broker, topics, dir.resolve("state"), 3);
             MigrationPublisher publisher = new MigrationPublisher(PublisherSettings.builder(broker.bootstrapServers())
                     .topics(topics).transactional(true).build())) {
            PublishResult published = publisher.publish(MigrationRequest.builder().migrationId("e2e-img1")
                    .target("host-b").input(new MigrationInput.Qcow2Image(img)).build(), PublishListener.NONE);
            MigrationOutcome outcome;
            try (MigrationWatcher watcher = new MigrationWatcher(broker.bootstrapServers(), topics, "e2e-img1")) {
                outcome = watcher.await(Duration.ofSeconds(90), e -> { });
            }
            assertThat(outcome.status()).as(outcome.reason()).isEqualTo(MigrationOutcome.Status.COMPLETED);
            Map<String, Event> completed = outcome.events().stream()
                    .filter(e -> e.getBody() instanceof BitmapCompleted)
                    .collect(Collectors.toMap(e -> e.getBitmap(), Function.identity()));
            List<JsonNode> expected = QemuTestData.expected("img1.qcow2");
            assertThat(completed).hasSize(expected.size()).hasSize(published.bitmaps().size());
            for (JsonNode q : expected) {
                Event e = completed.get(q.get("name").asText());
                BitmapCompleted c = (BitmapCompleted) e.getBody();
                assertThat(e.getTarget()).isEqualTo("host-b");
                assertThat(e.getNode()).isEqualTo("img1");
                assertThat(c.getSha256()).as(q.get("name").asText()).isEqualTo(q.get("sha256").asText());
                assertThat(c.getCount()).as(q.get("name").asText()).isEqualTo(q.get("count").asLong());
                assertThat(c.getGranularity()).isEqualTo(q.get("granularity").asLong());
                assertThat(c.getEnabled()).isEqualTo(q.get("recording").asBoolean());
                assertThat(c.getPersistent()).isTrue();
            }
        }
    }

    @Test
    void aQemuStreamThroughTheDestinationEndsAsQemusDestinationDid(KafkaBroker broker) throws Exception {
        Topics topics = new Topics("e2e-stream.");
        Path stream = QemuTestData.dir().resolve("streams/mig1.stream.gz");
        try (DestinationApp ignored = Destination.start(broker, topics, dir.resolve("state"), 3);
             MigrationPublisher publisher = new MigrationPublisher(PublisherSettings.builder(broker.bootstrapServers())
                     .topics(topics).build())) {
            publisher.publish(MigrationRequest.builder().migrationId("e2e-mig1").target("dst1")
                    .input(new MigrationInput.MigrationStreamFile(stream)).build(), PublishListener.NONE);
            MigrationOutcome outcome;
            try (MigrationWatcher watcher = new MigrationWatcher(broker.bootstrapServers(), topics, "e2e-mig1")) {
                outcome = watcher.await(Duration.ofSeconds(90), e -> { });
            }
            assertThat(outcome.status()).as(outcome.reason()).isEqualTo(MigrationOutcome.Status.COMPLETED);
            Map<String, BitmapCompleted> completed = outcome.events().stream()
                    .filter(e -> e.getBody() instanceof BitmapCompleted)
                    .collect(Collectors.toMap(Event::getBitmap, e -> (BitmapCompleted) e.getBody()));
            List<JsonNode> expected = QemuTestData.jsonl("expected/streams-sha256.jsonl", "stream", "mig1");
            assertThat(completed).hasSize(expected.size());
            for (JsonNode q : expected) {
                BitmapCompleted c = completed.get(q.get("name").asText());
                assertThat(c.getSha256()).as(q.get("name").asText()).isEqualTo(q.get("sha256").asText());
                assertThat(c.getCount()).as(q.get("name").asText()).isEqualTo(q.get("count").asLong());
                assertThat(c.getEnabled()).isEqualTo(q.get("enabled").asBoolean());
                assertThat(c.getPersistent()).isEqualTo(q.get("persistent").asBoolean());
            }
        }
    }
}
