package org.dbmstream.topology.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.DestinationWrite;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.testkit.PostcopyFixture;
import org.dbmstream.topology.PostcopyCancelChunks;
import org.dbmstream.topology.PostcopyChunks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every real QEMU postcopy migration of {@code testdata/qemu/postcopy} through the destination on a real
 * broker, topics of 3 partitions, exactly_once_v2: the switchover travels from the partition that loads
 * it to the others while the writes are published right after it, before the remaining chunks, so
 * writes meet successors, held writes and completed bitmaps as the tasks happen to interleave them. Each
 * bitmap must end with QEMU's final sha256 and count, and nothing may change after.
 */
@ExtendWith(KafkaBrokerExtension.class)
class PostcopyIT {
    private static final String PREFIX = "it.postcopy.";
    private static final Topics TOPICS = new Topics(PREFIX);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void everyPostcopyFixtureEndsWithQemusFinalSha256AndCount(KafkaBroker broker, @TempDir Path tmp)
            throws Exception {
        Serializer<DestinationWrite> writes = DbmSerdes.destinationWrite(Map.of()).serializer();
        try (DestinationInstances app = DestinationInstances.start(broker, PREFIX, "it-postcopy", 3,
                List.of(tmp.resolve("instance-a")));
                EventLog events = EventLog.events(broker, TOPICS.events());
                MigrationWriter writer = new MigrationWriter(broker, TOPICS)) {
            List<String> names = PostcopyFixture.names();
            assertThat(names).contains("pc1", "pc2-granularities", "pc3-across", "pc4-mapping", "pc5-precopy");
            for (String name : names) {
                PostcopyFixture fixture = PostcopyFixture.load(name);
                PostcopyChunks pc = PostcopyChunks.of(fixture);
                writer.spec(name, "vm-" + name, PostcopyChunks.mapping(fixture));
                pc.beforeRun().forEach(c -> writer.chunk(name, c));
                writer.chunk(name, new Chunk.Switchover());
                for (PostcopyFixture.Write w : fixture.writes()) {
                    writer.send(TOPICS.writes(), ("vm-" + name).getBytes(StandardCharsets.UTF_8),
                            writes.serialize(TOPICS.writes(), new DestinationWrite("vm-" + name, w.node(), w.offset(),
                                    w.length(), name, Instant.now(), null)));
                }
                pc.afterRun().forEach(c -> writer.chunk(name, c));
            }
            writer.flush();

            for (String name : names) {
                Map<String, List<Object>> expected = PostcopyChunks.expected(PostcopyFixture.load(name));
                events.awaitEvents(all -> PostcopyChunks.finalStates(of(all, name)).equals(expected), TIMEOUT);
            }
            List<Event> all = events.settle(Duration.ofSeconds(2));
            for (String name : names) {
                assertThat(PostcopyChunks.finalStates(of(all, name))).as(name)
                        .isEqualTo(PostcopyChunks.expected(PostcopyFixture.load(name)));
                assertThat(of(all, name)).as(name).filteredOn(e -> e.getBody().getClass().getSimpleName()
                        .matches("SwitchedOver|MigrationCompleted|BitmapCompleted|BitmapStarted"))
                        .as("each event once").doesNotHaveDuplicates();
            }
        }
    }

    /**
     * QEMU's cancel during postcopy ({@code cancel/pc6-cancel}): the writes of each phase are published as
     * QEMU's destination saw them, the cancel once the destination reported the COMPLETE that QEMU's got
     * before the cut. The completed bitmap ends with QEMU's final sha256/count, the loading ones are released.
     */
    @Test
    void aCancelDuringPostcopyKeepsTheCompletedBitmapRecordingAsQemuDoes(KafkaBroker broker, @TempDir Path tmp)
            throws Exception {
        PostcopyFixture fixture = PostcopyFixture.load(PostcopyCancelChunks.FIXTURE);
        PostcopyCancelChunks pc = PostcopyCancelChunks.of(fixture);
        String name = "pc6-cancel";
        String target = "vm-" + name;
        Serializer<DestinationWrite> writes = DbmSerdes.destinationWrite(Map.of()).serializer();
        Topics topics = new Topics(PREFIX + "cancel.");
        try (DestinationInstances app = DestinationInstances.start(broker, PREFIX + "cancel.", "it-postcopy-cancel",
                3, List.of(tmp.resolve("instance-a")));
                EventLog events = EventLog.events(broker, topics.events());
                MigrationWriter writer = new MigrationWriter(broker, topics)) {
            java.util.function.Consumer<String> phase = p -> pc.writes().get(p).forEach(w -> writer.send(
                    topics.writes(), target.getBytes(StandardCharsets.UTF_8), writes.serialize(topics.writes(),
                            new DestinationWrite(target, w.node(), w.offset(), w.length(), name, Instant.now(), null))));
            writer.spec(name, target);
            pc.beforeRun().forEach(c -> writer.chunk(name, c));
            writer.chunk(name, new Chunk.Switchover());
            phase.accept("after-switchover");
            pc.afterRun().forEach(c -> writer.chunk(name, c));
            phase.accept("after-first-complete");
            writer.flush();
            List<String> kept = PostcopyCancelChunks.kept(fixture);
            events.awaitEvents(all -> of(all, name).stream().filter(e -> e.getBody() instanceof BitmapCompleted)
                    .map(Event::getBitmap).toList().containsAll(kept), TIMEOUT);
            writer.sourceCancel(name, target, "migration stream broken during postcopy");
            phase.accept("after-cancel");
            writer.flush();

            Map<String, List<Object>> expected = PostcopyChunks.expected(fixture);
            events.awaitEvents(all -> PostcopyChunks.finalStates(of(all, name)).equals(expected)
                    && of(all, name).stream().anyMatch(e -> e.getBody() instanceof MigrationCancelled), TIMEOUT);
            List<Event> all = of(events.settle(Duration.ofSeconds(2)), name);
            assertThat(PostcopyChunks.finalStates(all)).isEqualTo(expected);
            assertThat(all).filteredOn(e -> e.getBody() instanceof BitmapCancelled).extracting(Event::getBitmap)
                    .containsExactlyInAnyOrderElementsOf(PostcopyCancelChunks.released(fixture));
            assertThat(all).filteredOn(e -> e.getBody() instanceof BitmapCompleted).extracting(Event::getBitmap)
                    .containsExactlyElementsOf(kept);
        }
    }

    private static List<Event> of(List<Event> all, String migration) {
        return all.stream().filter(e -> e.getMigration().equals(migration)).toList();
    }
}
