package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationFailed;
import org.junit.jupiter.api.Test;

/**
 * An at-least-once source may deliver chunks twice (same source id and per-key sequence number): the
 * destination applies each once, so a repeated START does not fail the migration and nothing is counted
 * twice; a different source re-sending a START is a new publication and meets QEMU's rule.
 */
class RedeliveryTopologyTest {

    @Test
    void redeliveredChunksAreAppliedOnce() throws Exception {
        final DirtyBitmap bits = TestChunks.bitmap(4 * MIB, 4096, 0, 65536, 3 * MIB, 4096);
        final List<Chunk> sent = TestChunks.migration(TestChunks.sent("disk0", "b0", true, true, bits));
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            // every chunk twice, and then the whole migration again, as a source replaying after a crash does
            final List<long[]> seqs = new ArrayList<>();
            final java.util.Map<String, Long> next = new java.util.HashMap<>();
            for (final Chunk c : sent) {
                final String key = org.dbmstream.serdes.ChunkRecords.keyOf("m1", c).toString();
                final long seq = next.merge(key, 1L, Long::sum) - 1;
                d.chunk("m1", c, "src-a", seq);
                d.chunk("m1", c, "src-a", seq);
                seqs.add(new long[] {seq});
            }
            for (int i = 0; i < sent.size(); i++) {
                d.chunk("m1", sent.get(i), "src-a", seqs.get(i)[0]);
            }

            final List<Event> events = d.events();
            assertThat(EventsView.types(events)).containsExactly("BitmapStarted", "BitmapCompleted",
                    "MigrationCompleted");
            assertThat(EventsView.bodies(events, BitmapCompleted.class)).singleElement().satisfies(c -> {
                assertThat(c.getSha256()).isEqualTo(bits.sha256());
                assertThat(c.getCount()).isEqualTo(bits.count());
                assertThat(c.getChunks()).isEqualTo(TestChunks.bits("disk0", "b0", bits).size());
            });
        }
    }

    @Test
    void anotherSourceRepeatingAStartMeetsQemusRule() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunk("m1", TestChunks.start("disk0", "b0", 4096, 4 * MIB), "src-a", 0);
            d.chunk("m1", TestChunks.start("disk0", "b0", 4096, 4 * MIB), "src-b", 0);

            final List<Event> events = d.events();
            assertThat(EventsView.bodies(events, MigrationFailed.class)).singleElement()
                    .extracting(MigrationFailed::getReason).asString().contains("already exists");
        }
    }
}
