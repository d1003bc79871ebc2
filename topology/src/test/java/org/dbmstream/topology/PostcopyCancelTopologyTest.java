package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.testkit.PostcopyFixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A cancel during postcopy against QEMU 7.2's own result (fixture {@code cancel/pc6-cancel}): QEMU's stream
 * broke after the first bitmap's COMPLETE, QEMU's destination released the two unfinished bitmaps and kept
 * the completed one recording. Writes were made after the switchover, after that COMPLETE and after the
 * cancel; whichever order the destination processes them in, only the completed bitmap remains, with QEMU's
 * final sha256 and count.
 */
class PostcopyCancelTopologyTest {
    private static final PostcopyFixture PC6 = PostcopyFixture.load(PostcopyCancelChunks.FIXTURE);
    private static final String MIGRATION = "pc6";

    /** The orders a partition may process the migration's records in (all published after the switchover). */
    enum Order {
        /** As QEMU saw them: W1, the remaining chunks, W2, the cancel, W3. */
        AS_QEMU,
        /** W1 and W2 before the remaining chunks (a write landing in the successor), then the cancel, W3. */
        WRITES_BEFORE_THE_REMAINING_CHUNKS,
        /** Every write only after the cancel. */
        WRITES_AFTER_THE_CANCEL,
        /** W1 before the switchover (held until it), W2 after the cancel. */
        HELD_THEN_AFTER_THE_CANCEL
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void theCompletedBitmapStaysWithQemusFinalValuesAndTheLoadingOnesAreReleased(Order order) throws Exception {
        PostcopyCancelChunks stream = PostcopyCancelChunks.of(PC6);
        Map<String, List<PostcopyFixture.Write>> w = stream.writes();
        List<PostcopyFixture.Write> w1 = w.get("after-switchover");
        List<PostcopyFixture.Write> w2 = w.get("after-first-complete");
        List<PostcopyFixture.Write> w3 = w.get("after-cancel");
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec(MIGRATION, "vm1");
            d.chunks(MIGRATION, stream.beforeRun());
            switch (order) {
                case AS_QEMU -> {
                    d.chunk(MIGRATION, new Chunk.Switchover());
                    write(d, w1);
                    d.chunks(MIGRATION, stream.afterRun());
                    write(d, w2);
                    d.sourceCancel(MIGRATION, "vm1", "stream broken");
                    write(d, w3);
                }
                case WRITES_BEFORE_THE_REMAINING_CHUNKS -> {
                    d.chunk(MIGRATION, new Chunk.Switchover());
                    write(d, w1);
                    write(d, w2);
                    d.chunks(MIGRATION, stream.afterRun());
                    d.sourceCancel(MIGRATION, "vm1", "stream broken");
                    write(d, w3);
                }
                case WRITES_AFTER_THE_CANCEL -> {
                    d.chunk(MIGRATION, new Chunk.Switchover());
                    d.chunks(MIGRATION, stream.afterRun());
                    d.sourceCancel(MIGRATION, "vm1", "stream broken");
                    write(d, w1);
                    write(d, w2);
                    write(d, w3);
                }
                case HELD_THEN_AFTER_THE_CANCEL -> {
                    write(d, w1);
                    d.chunk(MIGRATION, new Chunk.Switchover());
                    d.chunks(MIGRATION, stream.afterRun());
                    d.sourceCancel(MIGRATION, "vm1", "stream broken");
                    write(d, w2);
                    write(d, w3);
                }
                default -> throw new IllegalStateException(order.name());
            }
            List<Event> events = d.events();
            List<String> completed = PostcopyCancelChunks.kept(PC6);
            List<String> released = PostcopyCancelChunks.released(PC6);

            assertThat(PostcopyChunks.finalStates(events)).isEqualTo(PostcopyChunks.expected(PC6));
            assertThat(EventsView.of(events, BitmapCompleted.class)).extracting(Event::getBitmap)
                    .containsExactlyElementsOf(completed);
            assertThat(EventsView.of(events, BitmapCancelled.class)).extracting(Event::getBitmap)
                    .containsExactlyInAnyOrderElementsOf(released);
            assertThat(released).as("QEMU released some").isNotEmpty();
            assertThat(EventsView.types(events)).containsOnlyOnce("SwitchedOver", "MigrationCancelled");
            List<String> held = new ArrayList<>();
            d.stored().forEachBitmap("vm1", s -> held.add(s.state().names().bitmap()));
            assertThat(held).as("bitmaps on the destination, as on QEMU's").containsExactlyElementsOf(completed);
            assertThat(d.metric("dropped-writes-total")).as("the completed bitmap records every write").isZero();
        }
    }

    private static void write(DestinationDriver d, List<PostcopyFixture.Write> writes) {
        writes.forEach(x -> d.write(MIGRATION, "vm1", x.node(), x.offset(), x.length()));
    }
}
