package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.load.BitmapPhase;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapRemoved;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.topology.store.StoredBitmaps;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Re-replication (a spec with {@code replace}): the new bitmap of a taken name loads instead of failing
 * as "already exists"; until its COMPLETE, the query index answers with the old one; then with the new
 * one, and the old one is released with a BitmapRemoved event.
 */
class ReplaceTopologyTest {

    @ParameterizedTest
    @ValueSource(strings = {"1K", "8K"})
    void aReplacingBitmapTakesOverAtItsCompleteAndTheOldOneGoes(String size) throws Exception {
        ChunkSize width = ChunkSize.parse(size);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm-17");
            d.chunks("m1", chunks(0, width));
            String oldSha = sha256(d.events(), "m1");

            d.specReplacing("m2", "vm-17");
            List<Chunk> second = chunks(5, width);
            int complete = second.indexOf(second.stream().filter(c -> c instanceof Chunk.Complete).findFirst()
                    .orElseThrow());
            d.chunks("m2", second.subList(0, complete));
            StoredBitmaps.Stored during = d.stored().find("vm-17", "disk0", "backup").orElseThrow();
            assertThat(during.key().migration()).isEqualTo("m1");
            assertThat(during.state().sha256()).isEqualTo(oldSha);

            d.chunks("m2", second.subList(complete, second.size()));
            List<Event> events = d.events();
            assertThat(EventsView.bodies(events, MigrationFailed.class)).isEmpty();
            assertThat(EventsView.of(events, MigrationCompleted.class)).extracting(Event::getMigration)
                    .containsExactly("m1", "m2");
            assertThat(EventsView.of(events, BitmapRemoved.class)).singleElement().satisfies(e -> {
                assertThat(e.getMigration()).isEqualTo("m1");
                assertThat(((BitmapRemoved) e.getBody()).getReason()).isEqualTo("replaced by migration 'm2'");
            });
            StoredBitmaps.Stored after = d.stored().find("vm-17", "disk0", "backup").orElseThrow();
            assertThat(after.key().migration()).isEqualTo("m2");
            assertThat(after.replaces()).isEqualTo("m1");
            assertThat(after.state().phase()).isEqualTo(BitmapPhase.COMPLETE);
            assertThat(after.state().sha256()).isEqualTo(sha256(events, "m2")).isNotEqualTo(oldSha);
            List<String> held = new java.util.ArrayList<>();
            d.stored().forEachBitmap("vm-17", s -> held.add(s.key().migration()));
            assertThat(held).containsExactly("m2");
        }
    }

    /** A bitmap of 8 KiB: eight of QEMU's chunks, or one 8 KiB chunk. */
    private static List<Chunk> chunks(long dirtyMib, ChunkSize width) {
        return TestChunks.migration(width, TestChunks.sent("disk0", "backup", true, true,
                TestChunks.bitmap(256 * TestChunks.MIB, 4096, dirtyMib * TestChunks.MIB, 65536)));
    }

    private static String sha256(List<Event> events, String migration) {
        return EventsView.of(events, BitmapCompleted.class).stream().filter(e -> e.getMigration().equals(migration))
                .map(e -> ((BitmapCompleted) e.getBody()).getSha256()).findFirst().orElseThrow();
    }
}
