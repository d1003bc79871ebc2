package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapNow;
import org.dbmstream.schemas.BitmapUpdated;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.WritesApplied;
import org.dbmstream.testkit.PostcopyFixture;
import org.junit.jupiter.api.Test;

/**
 * Destination writes and write barriers (issue 25 item 3) on QEMU's postcopy migration pc1: writes between
 * two reports make one BitmapUpdated per bitmap, not one per write; a write barrier is answered with
 * WritesApplied carrying the migration's bitmaps with every write before it applied, which are QEMU's final
 * sha256/count; a barrier that arrives before the switchover is held with the writes and answered after them.
 */
class WriteBarrierTopologyTest {
    private static final PostcopyFixture PC1 = PostcopyFixture.load("pc1");

    private static Map<String, List<Object>> states(WritesApplied applied) {
        Map<String, List<Object>> out = new HashMap<>();
        for (BitmapNow b : applied.getBitmaps()) {
            out.put(b.getBitmap(), List.of(b.getSha256(), b.getCount()));
        }
        return out;
    }

    /** pc1 loaded to its end with its switchover where QEMU's RUN command is. */
    private static void migratedWithSwitchover(DestinationDriver d) throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        d.spec("m1", "vm1");
        d.chunks("m1", pc.beforeRun());
        d.chunk("m1", new Chunk.Switchover());
        d.chunks("m1", pc.afterRun());
    }

    private static List<WritesApplied> answers(DestinationDriver d) {
        return EventsView.bodies(d.events(), WritesApplied.class);
    }

    @Test
    void writesBetweenReportsMakeOneUpdatePerBitmap() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            migratedWithSwitchover(d);
            for (int round = 0; round < 100; round++) {
                PC1.writes().forEach(w -> d.writeUnflushed("m1", "vm1", w.node(), w.offset(), w.length()));
            }
            assertThat(EventsView.of(d.events(), BitmapUpdated.class)).as("nothing before the report").isEmpty();
            d.flushUpdates();
            List<Event> events = d.events();
            // 300 writes changed 'pe' (enabled); 'pd' is disabled and never records
            assertThat(EventsView.of(events, BitmapUpdated.class)).extracting(Event::getBitmap).containsExactly("pe");
            assertThat(PostcopyChunks.finalStates(events)).isEqualTo(PostcopyChunks.expected(PC1));
            d.flushUpdates();
            assertThat(EventsView.of(d.events(), BitmapUpdated.class)).as("nothing changed since").hasSize(1);
        }
    }

    @Test
    void aBarrierIsAnsweredWithTheStateAfterEveryWriteBeforeIt() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            migratedWithSwitchover(d);
            PC1.writes().forEach(w -> d.writeUnflushed("m1", "vm1", w.node(), w.offset(), w.length()));

            d.barrier("m1", "vm1", "b-1");

            assertThat(answers(d)).singleElement().satisfies(a -> {
                assertThat(a.getBarrier()).isEqualTo("b-1");
                assertThat(states(a)).isEqualTo(PostcopyChunks.expected(PC1));
            });
        }
    }

    @Test
    void aBarrierBeforeTheSwitchoverIsHeldAndAnsweredAfterTheWritesHeldWithIt() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            d.chunks("m1", pc.afterRun());
            // the switchover reaches this partition through another one: writes and barrier come first
            PC1.writes().forEach(w -> d.writeUnflushed("m1", "vm1", w.node(), w.offset(), w.length()));
            d.barrier("m1", "vm1", "b-2");
            assertThat(answers(d)).as("held until the switchover").isEmpty();

            d.chunk("m1", new Chunk.Switchover());

            assertThat(answers(d)).singleElement().satisfies(a -> {
                assertThat(a.getBarrier()).isEqualTo("b-2");
                assertThat(states(a)).isEqualTo(PostcopyChunks.expected(PC1));
                assertThat(a.getBitmaps()).filteredOn(b -> b.getBitmap().equals("pe")).singleElement()
                        .satisfies(b -> assertThat(b.getRecording()).isTrue());
            });
        }
    }
}
