package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.junit.jupiter.api.Test;

/**
 * A cancel drops the migration's unfinished bitmaps and ignores its later chunks, while another
 * migration interleaved on the same partitions completes; bitmaps completed before the cancel stay.
 */
class CancelTopologyTest {

    @Test
    void cancelDropsUnfinishedBitmapsIgnoresLaterChunksAndLeavesOtherMigrationsAlone() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(4 * MIB, 4096, 0, 65536, 3 * MIB, 4096);
        List<Chunk> good = TestChunks.migration(TestChunks.sent("disk0", "b0", true, true, bits),
                TestChunks.sent("disk0", "b1", false, false, bits));
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("bad", "vm1");
            d.spec("good", "vm1");
            d.chunk("bad", TestChunks.start("disk0", "done", 4096, 4 * MIB));
            d.chunk("bad", TestChunks.start("disk0", "open", 4096, 4 * MIB));
            d.chunks("bad", TestChunks.bits("disk0", "done", bits));
            d.chunk("bad", TestChunks.complete("disk0", "done"));
            int half = good.size() / 2;
            d.chunks("good", good.subList(0, half));
            // the error: COMPLETE for a bitmap the migration never started
            d.chunk("bad", TestChunks.complete("disk0", "never-started"));
            // everything after it is ignored: bits, a complete, even chunks that would be errors themselves
            d.chunks("bad", TestChunks.bits("disk0", "open", bits));
            d.chunk("bad", TestChunks.complete("disk0", "open"));
            d.chunk("bad", TestChunks.start("disk0", "late", 4096, 4 * MIB));
            d.chunk("bad", new Chunk.Start("disk0", "flags", org.dbmstream.bitmap.Granularity.of(4096), 0xff, MIB));
            d.chunk("bad", new Chunk.EndOfStream(List.of(new Chunk.BitmapRef("disk0", "done"),
                    new Chunk.BitmapRef("disk0", "open"))));
            d.chunks("good", good.subList(half, good.size()));

            List<Event> events = d.events();
            List<Event> bad = events.stream().filter(e -> e.getMigration().equals("bad")).toList();
            assertThat(EventsView.types(bad)).containsExactly("BitmapStarted", "BitmapStarted", "BitmapCompleted",
                    "BitmapCancelled", "MigrationCancelled");
            String reason = "Error: unknown dirty bitmap 'never-started' for block device 'disk0'";
            assertThat(EventsView.of(bad, BitmapCancelled.class)).singleElement().satisfies(e -> {
                assertThat(e.getBitmap()).isEqualTo("open");
                assertThat(((BitmapCancelled) e.getBody()).getReason()).isEqualTo(reason);
            });
            assertThat(EventsView.bodies(bad, MigrationCancelled.class)).extracting(MigrationCancelled::getReason)
                    .containsExactly(reason);
            assertThat(EventsView.of(bad, BitmapCompleted.class)).extracting(Event::getBitmap).containsExactly("done");

            List<Event> ok = events.stream().filter(e -> e.getMigration().equals("good")).toList();
            assertThat(EventsView.bodies(ok, BitmapCompleted.class)).extracting(BitmapCompleted::getSha256)
                    .containsExactly(bits.sha256(), bits.sha256());
            assertThat(EventsView.bodies(ok, MigrationCompleted.class)).hasSize(1);

            // the dropped bitmap was released: a new migration to the same target may create it again
            d.spec("retry", "vm1");
            d.chunks("retry", TestChunks.migration(TestChunks.sent("disk0", "open", false, false, bits)));
            assertThat(EventsView.of(d.events(), MigrationCompleted.class)).extracting(Event::getMigration)
                    .containsExactly("good", "retry");
        }
    }
}
