package org.dbmstream.topology.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.chunk.MigrationSequencer;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.serdes.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.dbmstream.testkit.CapturedLogs;
import org.dbmstream.topology.DeadLetterLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination topology on a real broker (in-process by default, see {@link KafkaBrokerExtension}):
 * topics of 3 partitions, two application instances with their own state directories, exactly_once_v2.
 * Results are checked against QEMU's own sha256 and count in {@code testdata/qemu/expected}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DestinationTopologyIT {

    private static final String PREFIX = "it.dest.";
    private static final Topics TOPICS = new Topics(PREFIX);
    private static final long MIG1_DISK_SIZE = 64L * 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;
    private static DestinationInstances app;
    private static EventLog events;
    private static MigrationWriter writer;

    @BeforeAll
    static void startDestination(KafkaBroker broker) {
        app = DestinationInstances.start(broker, PREFIX, "it-destination", 3,
                List.of(tmp.resolve("instance-a"), tmp.resolve("instance-b")));
        events = EventLog.events(broker, TOPICS.events());
        writer = new MigrationWriter(broker, TOPICS);
    }

    @AfterAll
    static void stopDestination() {
        if (writer != null) {
            writer.close();
        }
        if (events != null) {
            events.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void everyBitmapOfTheSharedQemuImagesAndStreamCompletesWithQemusSha256AndCount() {
        Map<String, List<QemuExpected.Bitmap>> expectedByMigration = new LinkedHashMap<>();
        for (QemuExpected.Bitmap b : QemuExpected.images()) {
            if (!b.inconsistent()) {
                expectedByMigration.computeIfAbsent("image-" + b.source(), k -> new ArrayList<>()).add(b);
            }
        }
        for (String migration : expectedByMigration.keySet()) {
            String image = migration.substring("image-".length());
            // one target per image: the images share bitmap names, and "already exists" is judged per target
            writer.migrate(migration, image, QemuImageBitmaps.read(image, "disk0", tmp));
        }
        writer.spec("stream-mig1", "mig1-destination");
        QemuStreamChunks.read("mig1-min.stream", MIG1_DISK_SIZE).forEach(c -> writer.chunk("stream-mig1", c));
        writer.flush();
        expectedByMigration.put("stream-mig1", QemuExpected.streams());

        List<Event> all = events.awaitEvents(done(expectedByMigration.keySet()), TIMEOUT);
        all = events.settle(Duration.ofSeconds(1)); // nothing may follow: no duplicate event

        for (var entry : expectedByMigration.entrySet()) {
            String migration = entry.getKey();
            List<Event> mine = all.stream().filter(e -> e.getMigration().equals(migration)).toList();
            assertThat(bodies(mine, MigrationCompleted.class)).as(migration).hasSize(1);
            assertThat(bodies(mine, MigrationFailed.class)).as(migration).isEmpty();
            assertThat(bodies(mine, MigrationCancelled.class)).as(migration).isEmpty();
            List<Event> completed = mine.stream().filter(e -> e.getBody() instanceof BitmapCompleted).toList();
            assertThat(completed).as(migration).hasSize(entry.getValue().size());
            for (QemuExpected.Bitmap qemu : entry.getValue()) {
                List<Event> match = completed.stream().filter(e -> qemu.name().equals(e.getBitmap())).toList();
                assertThat(match).as(migration + "/" + qemu.name()).hasSize(1);
                Event e = match.get(0);
                BitmapCompleted c = (BitmapCompleted) e.getBody();
                assertThat(e.getNode()).isEqualTo("disk0");
                assertThat(c.getSha256()).as(migration + "/" + qemu.name() + " sha256").isEqualTo(qemu.sha256());
                assertThat(c.getCount()).as(migration + "/" + qemu.name() + " count").isEqualTo(qemu.count());
                assertThat(c.getGranularity()).isEqualTo(qemu.granularity());
                assertThat(c.getSize()).isEqualTo(qemu.size());
                assertThat(c.getEnabled()).as(migration + "/" + qemu.name() + " enabled").isEqualTo(qemu.enabled());
                assertThat(c.getPersistent()).isEqualTo(qemu.persistent());
            }
        }
    }

    @Test
    void aPoisonPillLandsInTheDeadLetterTopicAndTheMigrationStillCompletes(KafkaBroker broker) {
        QemuExpected.Bitmap qemu = expectedImageBitmap("img1.qcow2", "b4k");
        List<MigrationBitmap> bitmaps = QemuImageBitmaps.read("img1.qcow2", "disk0", tmp).stream()
                .filter(b -> b.bitmapAlias().equals("b4k")).toList();
        List<Chunk> chunks = chunksOf(bitmaps);
        byte[] poison = "definitely not an Avro chunk".getBytes(StandardCharsets.UTF_8);

        List<Event> mine;
        try (CapturedLogs logs = DeadLetterLogs.capture()) {
            writer.spec("poison", "poison-target");
            chunks.subList(0, chunks.size() / 2).forEach(c -> writer.chunk("poison", c));
            writer.send(TOPICS.chunks(), writer.key("poison", "disk0", "b4k"), poison);
            chunks.subList(chunks.size() / 2, chunks.size()).forEach(c -> writer.chunk("poison", c));
            writer.flush();

            mine = events.awaitEvents(done(List.of("poison")), TIMEOUT).stream()
                    .filter(e -> e.getMigration().equals("poison")).toList();
            // the destination's log names the record, its migration (from the key) and the cause
            assertThat(DeadLetterLogs.lines(logs)).singleElement().asString()
                    .matches("Record " + java.util.regex.Pattern.quote(TOPICS.chunks()) + "-\\d+@\\d+ of migration "
                            + "'poison' sent to the dead-letter topic " + java.util.regex.Pattern.quote(TOPICS.dlq())
                            + " \\(skipped, loading goes on\\): topic '.*': cannot decode 28-byte ChunkValue record: .*");
        }
        assertThat(bodies(mine, MigrationCompleted.class)).hasSize(1);
        assertThat(bodies(mine, BitmapCompleted.class)).singleElement()
                .satisfies(c -> assertThat(c.getSha256()).isEqualTo(qemu.sha256()))
                .satisfies(c -> assertThat(c.getCount()).isEqualTo(qemu.count()));

        try (EventLog dlq = EventLog.raw(broker, TOPICS.dlq())) {
            List<ConsumerRecord<byte[], byte[]>> dead = dlq.awaitRecords(1, TIMEOUT);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).value()).isEqualTo(poison);
            assertThat(dead.get(0).headers().toArray()).extracting(Header::key).anyMatch(k -> k.contains("exception"));
        }
    }

    @Test
    void aSecondMigrationOfTheSameBitmapToTheSameTargetFailsAsInQemu() {
        List<MigrationBitmap> bitmaps = QemuImageBitmaps.read("img1.qcow2", "disk0", tmp).stream()
                .filter(b -> b.bitmapAlias().equals("b64k")).toList();
        writer.migrate("dup-1", "dup-target", bitmaps);
        events.awaitEvents(done(List.of("dup-1")), TIMEOUT);

        writer.migrate("dup-2", "dup-target", bitmaps);
        List<Event> second = events.awaitEvents(done(List.of("dup-2")), TIMEOUT).stream()
                .filter(e -> e.getMigration().equals("dup-2")).toList();
        assertThat(bodies(second, MigrationFailed.class)).singleElement()
                .satisfies(f -> assertThat(f.getReason())
                        .contains("Bitmap with the same name ('b64k') already exists on destination"));
        assertThat(bodies(second, MigrationCompleted.class)).isEmpty();
        assertThat(bodies(second, BitmapCompleted.class)).isEmpty();
    }

    /**
     * The race of issue 12 on the real broker: two migrations of the same bitmaps to one target, published
     * at once, their chunk keys on different partitions. Each time exactly one completes each name and the
     * other fails with QEMU's "already exists"; each ends with exactly one final event.
     */
    @Test
    void twoMigrationsRacingForOneNameOnDifferentPartitionsNeverBothComplete() {
        List<MigrationBitmap> bitmaps = QemuImageBitmaps.read("img1.qcow2", "disk0", tmp).stream()
                .filter(b -> b.bitmapAlias().equals("b64k")).toList();
        List<String> pairs = new ArrayList<>();
        for (int round = 0; pairs.size() < 8; round++) {
            String a = "race-a-" + round;
            String b = "race-b-" + round;
            if (partition(a) != partition(b)) {
                pairs.add(a);
                pairs.add(b);
            }
        }
        for (int i = 0; i < pairs.size(); i += 2) {
            writer.migrate(pairs.get(i), "race-target-" + i, bitmaps);
            writer.migrate(pairs.get(i + 1), "race-target-" + i, bitmaps);
        }
        List<Event> all = events.awaitEvents(done(pairs), TIMEOUT);
        all = events.settle(Duration.ofSeconds(1));
        for (int i = 0; i < pairs.size(); i += 2) {
            List<String> pair = pairs.subList(i, i + 2);
            List<Event> mine = all.stream().filter(e -> pair.contains(e.getMigration())).toList();
            assertThat(bodies(mine, MigrationCompleted.class)).as(pair.toString()).hasSize(1);
            assertThat(bodies(mine, MigrationFailed.class)).as(pair.toString()).singleElement()
                    .satisfies(f -> assertThat(f.getReason())
                            .isEqualTo("Bitmap with the same name ('b64k') already exists on destination"));
            assertThat(bodies(mine, BitmapCompleted.class)).as(pair.toString()).hasSize(1);
        }
    }

    private static int partition(String migration) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(writer.key(migration, "disk0", "b64k"))) % 3;
    }

    /** Until every listed migration has ended (completed, cancelled or failed). */
    private static Predicate<List<Event>> done(java.util.Collection<String> migrations) {
        return all -> migrations.stream().allMatch(m -> all.stream().anyMatch(e -> e.getMigration().equals(m)
                && (e.getBody() instanceof MigrationCompleted || e.getBody() instanceof MigrationFailed
                        || e.getBody() instanceof MigrationCancelled)));
    }

    private static <T> List<T> bodies(List<Event> events, Class<T> type) {
        return events.stream().map(Event::getBody).filter(type::isInstance).map(type::cast).toList();
    }

    private static List<Chunk> chunksOf(List<MigrationBitmap> bitmaps) {
        List<Chunk> out = new ArrayList<>();
        MigrationSequencer sequencer = new MigrationSequencer(bitmaps);
        sequencer.setup(out::add);
        sequencer.complete(out::add);
        return out;
    }

    private static QemuExpected.Bitmap expectedImageBitmap(String image, String name) {
        return QemuExpected.images().stream().filter(b -> b.source().equals(image) && b.name().equals(name))
                .findFirst().orElseThrow();
    }
}
