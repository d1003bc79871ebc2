package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.junit.jupiter.api.Test;

/**
 * Two migrations race for one bitmap name on one target (issue 12): whatever the interleaving of their
 * chunks, exactly one completes the name and the other fails with QEMU's "already exists", its bitmap
 * reported cancelled; each migration gets exactly one final event.
 */
class NameClaimTopologyTest {
    private static final String EXISTS = "Bitmap with the same name ('b') already exists on destination";
    private final DirtyBitmap bits = TestChunks.bitmap(4 * MIB, 4096, 0, 65536, 3 * MIB, 4096);

    private static Chunk eos() {
        return new Chunk.EndOfStream(List.of(new Chunk.BitmapRef("disk0", "b")));
    }

    private void startAndBits(DestinationDriver d, String migration) {
        d.chunk(migration, TestChunks.start("disk0", "b", 4096, 4 * MIB));
        d.chunks(migration, TestChunks.bits("disk0", "b", bits));
    }

    private void finish(DestinationDriver d, String migration) {
        d.chunk(migration, TestChunks.complete("disk0", "b"));
        d.chunk(migration, eos());
    }

    /** Both STARTs before either COMPLETE: the first COMPLETE wins the name. */
    @Test
    void bothStartedBeforeEitherCompletes() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.spec("m2", "vm1");
            startAndBits(d, "m1");
            startAndBits(d, "m2");
            finish(d, "m2");
            finish(d, "m1");
            assertOneWinner(d.events(), "m2", "m1");
        }
    }

    /** Interleaved chunk by chunk, the first migration finishing first. */
    @Test
    void interleavedChunkByChunk() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.spec("m2", "vm1");
            d.chunk("m1", TestChunks.start("disk0", "b", 4096, 4 * MIB));
            d.chunk("m2", TestChunks.start("disk0", "b", 4096, 4 * MIB));
            List<Chunk.Bits> chunks = TestChunks.bits("disk0", "b", bits);
            for (Chunk.Bits c : chunks) {
                d.chunk("m1", c);
                d.chunk("m2", c);
            }
            d.chunk("m1", TestChunks.complete("disk0", "b"));
            d.chunk("m2", TestChunks.complete("disk0", "b"));
            d.chunk("m2", eos());
            d.chunk("m1", eos());
            assertOneWinner(d.events(), "m1", "m2");
        }
    }

    /** The second START comes after the first completed: QEMU's check at START, before any bits load. */
    @Test
    void startAfterTheOtherCompletedFailsAtOnce() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.spec("m2", "vm1");
            startAndBits(d, "m1");
            finish(d, "m1");
            d.chunk("m2", TestChunks.start("disk0", "b", 4096, 4 * MIB));
            List<Event> m2 = d.events().stream().filter(e -> e.getMigration().equals("m2")).toList();
            assertThat(EventsView.types(m2)).containsExactly("MigrationFailed");
            assertThat(EventsView.bodies(m2, MigrationFailed.class)).extracting(MigrationFailed::getReason)
                    .containsExactly(EXISTS);
        }
    }

    /** Another target, or another name, is no conflict. */
    @Test
    void otherTargetsAreIndependent() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.spec("m2", "vm2");
            startAndBits(d, "m1");
            startAndBits(d, "m2");
            finish(d, "m2");
            finish(d, "m1");
            assertThat(EventsView.of(d.events(), MigrationCompleted.class)).extracting(Event::getMigration)
                    .containsExactlyInAnyOrder("m1", "m2");
        }
    }

    private void assertOneWinner(List<Event> events, String winner, String loser) {
        List<Event> won = events.stream().filter(e -> e.getMigration().equals(winner)).toList();
        List<Event> lost = events.stream().filter(e -> e.getMigration().equals(loser)).toList();
        assertThat(EventsView.types(won)).containsExactly("BitmapStarted", "BitmapCompleted", "MigrationCompleted");
        assertThat(EventsView.bodies(won, BitmapCompleted.class)).extracting(BitmapCompleted::getSha256)
                .containsExactly(bits.sha256());
        assertThat(EventsView.types(lost)).containsExactly("BitmapStarted", "BitmapCancelled", "MigrationFailed");
        assertThat(EventsView.bodies(lost, BitmapCancelled.class)).extracting(BitmapCancelled::getReason)
                .containsExactly(EXISTS);
        assertThat(EventsView.bodies(lost, MigrationFailed.class)).extracting(MigrationFailed::getReason)
                .containsExactly(EXISTS);
    }
}
