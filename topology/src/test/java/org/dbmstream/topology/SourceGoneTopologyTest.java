package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.testkit.CapturedLogs;
import org.dbmstream.topology.processor.ChunkLoadProcessor;
import org.junit.jupiter.api.Test;

/**
 * A migration whose source stops half-way ends, as QEMU cancels the incoming side when the stream
 * breaks: at once when the source publishes a cancel, or after the idle timeout when it went silent.
 * Other migrations, and bitmaps completed before, are untouched.
 */
class SourceGoneTopologyTest {
    private static final Map<String, String> ONE_MINUTE = Map.of(DestinationConfig.IDLE_TIMEOUT, "60000");

    @Test
    void aSilentSourceIsCancelledAfterTheIdleTimeout() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(4 * MIB, 4096, 0, 65536);
        List<Chunk> whole = TestChunks.migration(TestChunks.sent("disk0", "b0", true, true, bits));
        try (CapturedLogs logs = CapturedLogs.of(ChunkLoadProcessor.class);
                DestinationDriver d = new DestinationDriver(StreamsConfig.EXACTLY_ONCE_V2, ONE_MINUTE)) {
            d.spec("half", "vm1");
            d.spec("whole", "vm1");
            d.chunk("half", TestChunks.start("disk0", "done", 4096, 4 * MIB));
            d.chunk("half", TestChunks.start("disk0", "open", 4096, 4 * MIB));
            d.chunks("half", TestChunks.bits("disk0", "done", bits));
            d.chunk("half", TestChunks.complete("disk0", "done"));
            d.chunks("whole", whole);
            d.advanceClock(Duration.ofSeconds(30));
            assertThat(EventsView.of(d.events(), MigrationCancelled.class)).isEmpty();

            d.advanceClock(Duration.ofSeconds(45));

            List<Event> half = d.events().stream().filter(e -> e.getMigration().equals("half")).toList();
            assertThat(EventsView.types(half)).containsExactly("BitmapStarted", "BitmapStarted", "BitmapCompleted",
                    "BitmapCancelled", "MigrationCancelled");
            assertThat(EventsView.bodies(half, MigrationCancelled.class)).singleElement().satisfies(c ->
                    assertThat(c.getReason()).isEqualTo("no chunk of migration 'half' arrived for PT1M while bitmaps "
                            + "were still loading: its source went silent (dbm.migration.idle.timeout.ms)"));
            assertThat(EventsView.types(d.events().stream().filter(e -> e.getMigration().equals("whole")).toList()))
                    .endsWith("MigrationCompleted").doesNotContain("BitmapCancelled");
            assertThat(logs.warnings()).singleElement().asString().startsWith("Cancelling migration 'half': no chunk");
        }
    }

    @Test
    void aCancelPublishedByTheSourceEndsItsMigrationAtOnce() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(4 * MIB, 4096, 0, 65536);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunk("m1", TestChunks.start("disk0", "b0", 4096, 4 * MIB));
            d.chunk("m1", TestChunks.start("disk0", "b1", 4096, 4 * MIB));
            d.chunks("m1", TestChunks.bits("disk0", "b0", bits).subList(0, 1));

            d.sourceCancel("m1", "vm1", "source cancelled migration 'm1': cannot read bitmap table");
            d.chunk("m1", TestChunks.complete("disk0", "b0"));

            List<Event> events = d.events();
            assertThat(EventsView.types(events)).containsExactly("BitmapStarted", "BitmapStarted", "BitmapCancelled",
                    "BitmapCancelled", "MigrationCancelled");
            assertThat(EventsView.bodies(events, MigrationCancelled.class)).singleElement().satisfies(c ->
                    assertThat(c.getReason()).isEqualTo("source cancelled migration 'm1': cannot read bitmap table"));
        }
    }
}
