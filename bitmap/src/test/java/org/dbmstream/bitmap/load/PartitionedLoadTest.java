package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.bitmap.load.Chunks.MIB;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.junit.jupiter.api.Test;

/**
 * One migration's bitmaps loading in two places (as on two partitions), each with its own store and
 * loader, facts gathered by one tracker and its decisions applied to both, as the topology wires them.
 */
class PartitionedLoadTest {
    private final InMemoryLoadStore storeA = new InMemoryLoadStore();
    private final InMemoryLoadStore storeB = new InMemoryLoadStore();
    private final BitmapLoader a = new BitmapLoader(storeA);
    private final BitmapLoader b = new BitmapLoader(storeB);
    private final MigrationTracker tracker = new MigrationTracker(new InMemoryProgressStore());
    private final List<LoadEvent> events = new ArrayList<>();
    private final List<MigrationFact> facts = new ArrayList<>();
    private final LoadOutput out = new LoadOutput() {
        @Override
        public void event(LoadEvent event) {
            events.add(event);
        }

        @Override
        public void fact(MigrationFact fact) {
            facts.add(fact);
        }

        @Override
        public void switchedOver(Migration migration) {
            throw new AssertionError("no switchover in these tests");
        }
    };
    private final Migration m = Migration.of("m1", "vm1");
    private final DirtyBitmap bits = Chunks.bitmap(MIB, 4096, 0, 8192);

    @Test
    void cancelRaisedOnOnePartitionReachesTheOther() {
        a.accept(m, Chunks.start("disk0", "x", 4096, MIB), out);
        b.accept(m, Chunks.start("disk0", "y", 4096, MIB), out);
        b.accept(m, Chunks.bits("disk0", "y", bits).get(0), out);
        a.accept(m, Chunks.complete("disk0", "nope"), out);
        // A dropped its own bitmap at once; B still loads until the decision arrives
        assertThat(storeA.bitmap(new BitmapKey("m1", "disk0", "x"))).isEmpty();
        assertThat(storeB.bitmap(new BitmapKey("m1", "disk0", "y"))).isPresent();
        deliverFacts();
        assertThat(storeB.bitmap(new BitmapKey("m1", "disk0", "y"))).isEmpty();
        assertThat(Chunks.of(events, LoadEvent.BitmapCancelled.class)).extracting(e -> e.names().bitmap())
                .containsExactlyInAnyOrder("x", "y");
        assertThat(Chunks.of(events, LoadEvent.MigrationCancelled.class)).hasSize(1);
        // later chunks on B change nothing
        int before = events.size();
        b.accept(m, Chunks.bits("disk0", "y", bits).get(0), out);
        b.accept(m, Chunks.complete("disk0", "y"), out);
        deliverFacts();
        assertThat(events).hasSize(before);
        assertThat(storeB.storedChunks(new BitmapKey("m1", "disk0", "y"))).isZero();
    }

    @Test
    void manifestOnOnePartitionCompletesWithBitmapsOfBoth() {
        a.accept(m, Chunks.start("disk0", "x", 4096, MIB), out);
        b.accept(m, Chunks.start("disk0", "y", 4096, MIB), out);
        // the EndOfStream (keyed for the whole migration) lands on A before B's bitmap completes
        a.accept(m, Chunks.complete("disk0", "x"), out);
        a.accept(m, new Chunk.EndOfStream(List.of(new Chunk.BitmapRef("disk0", "x"),
                new Chunk.BitmapRef("disk0", "y"))), out);
        deliverFacts();
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).isEmpty();
        b.accept(m, Chunks.complete("disk0", "y"), out);
        deliverFacts();
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).singleElement()
                .satisfies(c -> assertThat(c.bitmaps()).extracting(BitmapNames::bitmap).containsExactly("x", "y"));
    }

    @Test
    void concurrentErrorsOnBothPartitionsGiveOneOutcomeAndAFailWins() {
        a.accept(m, Chunks.start("disk0", "x", 4096, MIB), out);
        a.accept(m, Chunks.complete("disk0", "nope"), out);
        b.accept(m, new Chunk.Start("disk0", "y", org.dbmstream.bitmap.Granularity.of(4096), 0x10, MIB), out);
        deliverFacts();
        assertThat(Chunks.of(events, LoadEvent.MigrationCancelled.class)).hasSize(1);
        assertThat(Chunks.of(events, LoadEvent.MigrationFailed.class)).singleElement()
                .satisfies(f -> assertThat(f.reason()).isEqualTo("Unknown flags in migrated dirty bitmap header: 10"));
        assertThat(storeA.stopReason("m1")).map(LoadError::consequence).contains(Consequence.FAIL);
        assertThat(storeB.stopReason("m1")).map(LoadError::consequence).contains(Consequence.FAIL);
    }

    /** The topology's repartition to the tracker and its broadcast back to every loader. */
    private void deliverFacts() {
        while (!facts.isEmpty()) {
            MigrationFact fact = facts.remove(0);
            Optional<MigrationControl> control = tracker.apply(fact, events::add);
            control.ifPresent(c -> {
                a.stop(c, out);
                b.stop(c, out);
            });
        }
    }
}
