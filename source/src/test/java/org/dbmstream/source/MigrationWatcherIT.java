package org.dbmstream.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.CompletedBitmap;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The watcher on a real broker, with events spread over partitions as a destination writes them. */
@ExtendWith(KafkaBrokerExtension.class)
class MigrationWatcherIT {

    private static Event event(String migration, String node, String bitmap, Object body) {
        return new Event(migration, "t1", node, node, bitmap, bitmap, Instant.ofEpochMilli(1), body);
    }

    private static void write(KafkaBroker broker, Topics t, int partition, Event e) {
        write(broker, t, partition, e, null);
    }

    private static void write(KafkaBroker broker, Topics t, int partition, Event e, Long timestamp) {
        try (var p = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] v = DbmSerdes.event(Map.of()).serializer().serialize(t.events(), e);
            p.send(new ProducerRecord<>(t.events(), partition, timestamp, e.getMigration().getBytes(StandardCharsets.UTF_8),
                    v));
        }
    }

    @Test
    void returnsEveryEventOfTheMigrationThroughItsFinalOne(KafkaBroker broker) throws Exception {
        Topics t = new Topics("it-watch.");
        broker.createTopics(3, t.events());
        // the final event sits on partition 0, an earlier bitmap event on partition 2
        write(broker, t, 0, event("other", null, null, new MigrationFailed("not ours")));
        write(broker, t, 0, event("m1", null, null, new MigrationCompleted(List.of(
                new CompletedBitmap("disk0", "disk0", "b1", "b1")))));
        write(broker, t, 2, event("m1", "disk0", "b1", new BitmapCompleted(65536L, 1L << 30, true, true, 65536L,
                "ab", 2L, null, -1L, 0L, 0L, -1L)));
        List<Event> streamed = new ArrayList<>();
        MigrationOutcome outcome;
        try (MigrationWatcher w = new MigrationWatcher(broker.bootstrapServers(), t, "m1")) {
            outcome = w.await(Duration.ofSeconds(30), streamed::add);
        }
        assertThat(outcome.status()).isEqualTo(MigrationOutcome.Status.COMPLETED);
        assertThat(outcome.reason()).isEmpty();
        assertThat(outcome.events()).hasSize(2).isEqualTo(streamed);
        assertThat(outcome.events()).extracting(e -> e.getBody().getClass().getSimpleName())
                .containsExactlyInAnyOrder("MigrationCompleted", "BitmapCompleted");
    }

    @Test
    void aFailedMigrationReportsItsReasonAndAMissingOneTimesOut(KafkaBroker broker) throws Exception {
        Topics t = new Topics("it-watch2.");
        broker.createTopics(2, t.events());
        write(broker, t, 1, event("m2", null, null, new MigrationFailed(
                "Unknown flags in migrated dirty bitmap header: 8")));
        try (MigrationWatcher w = new MigrationWatcher(broker.bootstrapServers(), t, "m2")) {
            MigrationOutcome o = w.await(Duration.ofSeconds(30), e -> { });
            assertThat(o.status()).isEqualTo(MigrationOutcome.Status.FAILED);
            assertThat(o.reason()).isEqualTo("Unknown flags in migrated dirty bitmap header: 8");
        }
        try (MigrationWatcher w = new MigrationWatcher(broker.bootstrapServers(), t, "never")) {
            MigrationOutcome o = w.await(Duration.ofSeconds(1), e -> { });
            assertThat(o.status()).isEqualTo(MigrationOutcome.Status.TIMED_OUT);
            assertThat(o.terminal()).isNull();
        }
    }

    @Test
    void sinceSkipsEventsWrittenBeforeTheGivenTime(KafkaBroker broker) throws Exception {
        Topics t = new Topics("it-watch3.");
        broker.createTopics(2, t.events());
        Instant start = Instant.now();
        // an older run of the same id failed; the current one completes
        write(broker, t, 0, event("m3", null, null, new MigrationFailed("old run")), start.minusSeconds(3600).toEpochMilli());
        write(broker, t, 1, event("m3", null, null, new MigrationCompleted(List.of())), start.plusMillis(5).toEpochMilli());
        try (MigrationWatcher w = new MigrationWatcher(broker.bootstrapServers(), t, "m3").since(start)) {
            MigrationOutcome o = w.await(Duration.ofSeconds(30), e -> { });
            assertThat(o.status()).isEqualTo(MigrationOutcome.Status.COMPLETED);
            assertThat(o.events()).hasSize(1);
        }
        try (MigrationWatcher w = new MigrationWatcher(broker.bootstrapServers(), t, "m3")) {
            assertThat(w.await(Duration.ofSeconds(30), e -> { }).events()).isNotEmpty();
        }
    }

    /**
     * The never-ending migration (issue 12): with {@code since} set, empty partitions used to be positioned
     * by a lazy seekToEnd, resolved at the first poll, so a final event written in between (a fast
     * "already exists" failure) was skipped and the watch ran into its timeout. Now whatever is written
     * after {@link MigrationWatcher#position} is read.
     */
    @Test
    void aFinalEventWrittenRightAfterPositioningIsSeen(KafkaBroker broker) throws Exception {
        Topics t = new Topics("it-watch4.");
        broker.createTopics(3, t.events());
        Instant start = Instant.now();
        write(broker, t, 0, event("earlier", null, null, new MigrationCompleted(List.of())));
        try (MigrationWatcher w = new MigrationWatcher(broker.bootstrapServers(), t, "m4").since(start.minusSeconds(60))) {
            assertThat(w.position(Duration.ofSeconds(30))).isTrue();
            for (int p = 0; p < 3; p++) {
                write(broker, t, p, event("m4", null, null, new MigrationFailed(
                        "Bitmap with the same name ('b4k') already exists on destination")));
            }
            MigrationOutcome o = w.await(Duration.ofSeconds(30), e -> { });
            assertThat(o.status()).isEqualTo(MigrationOutcome.Status.FAILED);
            assertThat(o.reason()).isEqualTo("Bitmap with the same name ('b4k') already exists on destination");
            assertThat(o.events()).hasSize(3);
        }
    }
}
