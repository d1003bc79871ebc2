package org.dbmstream.topology.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.serdes.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DESIGN.md section 6, guarantees: a crash and restart of an instance loses nothing and emits no
 * duplicate event. One instance runs in its own JVM and is killed with SIGKILL while migrations are
 * being loaded, then restarted on the same state directory; the other runs throughout.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CrashRestartIT {

    private static final Logger LOG = LoggerFactory.getLogger(CrashRestartIT.class);
    private static final String PREFIX = "it.crash.";
    private static final String APP = "it-crash";
    private static final int ROUNDS = 12;
    private static final List<String> IMAGES = List.of("img1.qcow2", "img2.qcow2", "img5.qcow2", "dst1.qcow2",
            "mig-before.qcow2");

    @TempDir
    Path tmp;

    @Test
    void anInstanceKilledMidMigrationRestartsWithNothingLostAndNoDuplicateEvent(KafkaBroker broker) throws Exception {
        Map<String, List<MigrationBitmap>> bitmaps = new LinkedHashMap<>();
        for (String image : IMAGES) {
            bitmaps.put(image, QemuImageBitmaps.read(image, "disk0", tmp));
        }
        Map<String, String> imageOfMigration = new LinkedHashMap<>();
        DestinationInstances.createTopics(broker, PREFIX, 3);
        Path childState = tmp.resolve("child-state");
        Topics topics = new Topics(PREFIX);

        try (ChildDestination child = ChildDestination.start(broker.bootstrapServers(), PREFIX, APP, childState,
                     tmp.resolve("child-1.log"), Duration.ofSeconds(90));
             DestinationInstances local = DestinationInstances.start(broker, PREFIX, APP, 3,
                     List.of(tmp.resolve("local-state")));
             EventLog events = EventLog.events(broker, topics.events());
             MigrationWriter writer = new MigrationWriter(broker, topics)) {
            for (int round = 0; round < ROUNDS / 2; round++) {
                publishRound(writer, round, bitmaps, imageOfMigration);
            }
            // kill as soon as loading is under way: migrations of the first half are still in flight
            events.awaitEvents(all -> all.stream().anyMatch(e -> e.getBody() instanceof MigrationCompleted),
                    Duration.ofSeconds(90));
            child.kill();
            LOG.info("killed the child instance with {} of {} migrations ended", ended(events.settle(Duration.ZERO)),
                    imageOfMigration.size());
            for (int round = ROUNDS / 2; round < ROUNDS; round++) {
                publishRound(writer, round, bitmaps, imageOfMigration);
            }
            try (ChildDestination restarted = ChildDestination.start(broker.bootstrapServers(), PREFIX, APP,
                    childState, tmp.resolve("child-2.log"), Duration.ofSeconds(90))) {
                events.awaitEvents(all -> ended(all) == imageOfMigration.size(), Duration.ofSeconds(120));
                List<Event> all = events.settle(Duration.ofSeconds(2));
                assertEveryMigrationCompletedOnceWithQemusResults(all, imageOfMigration);
            }
        }
    }

    private static void publishRound(MigrationWriter writer, int round, Map<String, List<MigrationBitmap>> bitmaps,
            Map<String, String> imageOfMigration) {
        for (var image : bitmaps.entrySet()) {
            String migration = "crash-" + round + "-" + image.getKey();
            imageOfMigration.put(migration, image.getKey());
            writer.migrate(migration, migration, image.getValue()); // a target per migration: no "already exists"
        }
    }

    private static long ended(List<Event> all) {
        return all.stream().filter(e -> e.getBody() instanceof MigrationCompleted || e.getBody() instanceof MigrationFailed
                || e.getBody() instanceof MigrationCancelled).map(Event::getMigration).distinct().count();
    }

    private static void assertEveryMigrationCompletedOnceWithQemusResults(List<Event> all,
            Map<String, String> imageOfMigration) {
        // no duplicate: each (migration, bitmap, event type) appears once
        Map<String, Long> perEvent = all.stream().collect(Collectors.groupingBy(
                e -> e.getMigration() + "/" + e.getBitmap() + "/" + e.getBody().getClass().getSimpleName(),
                Collectors.counting()));
        assertThat(perEvent).allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1L));

        Map<String, Map<String, QemuExpected.Bitmap>> expected = QemuExpected.images().stream()
                .filter(b -> !b.inconsistent())
                .collect(Collectors.groupingBy(QemuExpected.Bitmap::source,
                        Collectors.toMap(QemuExpected.Bitmap::name, Function.identity())));
        List<String> failures = new ArrayList<>();
        for (var m : imageOfMigration.entrySet()) {
            List<Event> mine = all.stream().filter(e -> e.getMigration().equals(m.getKey())).toList();
            if (mine.stream().noneMatch(e -> e.getBody() instanceof MigrationCompleted)) {
                failures.add(m.getKey() + " did not complete: " + mine);
                continue;
            }
            Map<String, QemuExpected.Bitmap> qemu = expected.get(m.getValue());
            List<Event> completed = mine.stream().filter(e -> e.getBody() instanceof BitmapCompleted).toList();
            assertThat(completed).as(m.getKey()).hasSize(qemu.size());
            for (Event e : completed) {
                BitmapCompleted c = (BitmapCompleted) e.getBody();
                QemuExpected.Bitmap q = qemu.get(e.getBitmap());
                assertThat(q).as(m.getKey() + "/" + e.getBitmap()).isNotNull();
                assertThat(c.getSha256()).as(m.getKey() + "/" + e.getBitmap()).isEqualTo(q.sha256());
                assertThat(c.getCount()).as(m.getKey() + "/" + e.getBitmap()).isEqualTo(q.count());
            }
        }
        assertThat(failures).isEmpty();
    }
}
