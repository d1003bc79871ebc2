package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.bitmap.load.Chunks.MIB;

import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.junit.jupiter.api.Test;

/**
 * QEMU's postcopy load rules (dirty_bitmap_load_start, before_vm_start_handle_item,
 * dirty_bitmap_load_complete, cancel_incoming_locked): successors, switchover, reclaim by union, cancel.
 * Expected bitmaps are built bit by bit with {@link DirtyBitmap#markDirty}, apart from the load code.
 */
class PostcopyLoadTest {
    private static final long G = 65536;
    private final InMemoryLoadStore store = new InMemoryLoadStore();
    private final DestinationLoad load = new DestinationLoad(store, new InMemoryProgressStore());
    private final Migration m = Migration.of("m1", "vm1");
    private final DirtyBitmap migrated = Chunks.bitmap(4 * MIB, G, 0, 3 * G, 2 * MIB, G);

    private void start(String name, boolean enabled) {
        load.accept(m, Chunk.Start.of("disk0", name, Granularity.of(G), enabled, false, 4 * MIB));
    }

    private void bits(String name) {
        Chunks.bits("disk0", name, migrated).forEach(c -> load.accept(m, c));
    }

    private BitmapState state(String name) {
        return store.bitmap(new BitmapKey("m1", "disk0", name)).orElseThrow();
    }

    private static DirtyBitmap union(DirtyBitmap base, long... writes) {
        DirtyBitmap expected = new DirtyBitmap(base.diskSize(), base.granularity());
        expected.merge(base);
        for (int i = 0; i < writes.length; i += 2) {
            expected.markDirty(writes[i], writes[i + 1]);
        }
        return expected;
    }

    private void assertBitmap(String name, DirtyBitmap expected) {
        BitmapState s = state(name);
        assertThat(s.phase()).isEqualTo(BitmapPhase.COMPLETE);
        assertThat(s.sha256()).isEqualTo(expected.sha256());
        assertThat(s.count()).isEqualTo(expected.count());
    }

    @Test
    void aWriteBeforeTheSwitchoverRecordsNothing() {
        start("on", true);
        assertThat(load.write("vm1", "disk0", 0, 4 * MIB)).isEmpty();
        bits("on");
        load.accept(m, Chunks.complete("disk0", "on"));
        assertBitmap("on", migrated);
        assertThat(state("on").recording()).isFalse();
    }

    @Test
    void theSuccessorRecordsAfterTheSwitchoverAndCompleteMergesItByUnion() {
        start("on", true);
        bits("on");
        load.accept(m, new Chunk.Switchover());
        assertThat(state("on").recording()).as("successor enabled").isTrue();
        // inside a dirty range, across its end, outside any, and one byte past a granule boundary
        load.write("vm1", "disk0", G, 10);
        load.write("vm1", "disk0", 2 * MIB + G - 1, 2);
        load.write("vm1", "disk0", 3 * MIB + 5, 1);
        load.accept(m, Chunks.complete("disk0", "on"));
        assertBitmap("on", union(migrated, G, 10, 2 * MIB + G - 1, 2, 3 * MIB + 5, 1));
        assertThat(state("on").recording()).as("enabled on reclaim").isTrue();
        assertThat(store.storedChunks(new BitmapKey("m1", "disk0", "on").successor())).isZero();
    }

    @Test
    void writesBetweenTheChunksSurviveTheBitsThatFollow() {
        start("on", true);
        load.accept(m, new Chunk.Switchover());
        load.write("vm1", "disk0", 3 * MIB, G);
        // the BITS chunks overwrite the migrated bitmap's range; the successor keeps the write
        bits("on");
        load.accept(m, Chunks.complete("disk0", "on"));
        assertBitmap("on", union(migrated, 3 * MIB, G));
    }

    @Test
    void aBitmapCompletedBeforeTheSwitchoverIsEnabledByItAndThenRecordsItself() {
        start("on", true);
        bits("on");
        load.accept(m, Chunks.complete("disk0", "on"));
        assertThat(state("on").recording()).isFalse();
        List<LoadEvent> events = load.accept(m, new Chunk.Switchover());
        assertThat(events).contains(new LoadEvent.SwitchedOver("m1", "vm1"));
        assertThat(Chunks.of(events, LoadEvent.BitmapUpdated.class)).singleElement()
                .satisfies(u -> assertThat(u.recording()).isTrue());
        List<LoadEvent> written = load.write("vm1", "disk0", 3 * MIB, 1);
        DirtyBitmap expected = union(migrated, 3 * MIB, 1);
        assertThat(Chunks.of(written, LoadEvent.BitmapUpdated.class)).singleElement()
                .satisfies(u -> assertThat(u.sha256()).isEqualTo(expected.sha256()));
        assertBitmap("on", expected);
        assertThat(load.write("vm1", "disk0", 3 * MIB, 1)).as("nothing changed, nothing said").isEmpty();
    }

    @Test
    void disabledBitmapsNeverRecord() {
        start("off", false);
        load.accept(m, new Chunk.Switchover());
        load.write("vm1", "disk0", 3 * MIB, G);
        bits("off");
        load.accept(m, Chunks.complete("disk0", "off"));
        load.write("vm1", "disk0", 3 * MIB, G);
        assertBitmap("off", migrated);
        assertThat(state("off").recording()).isFalse();
    }

    @Test
    void aBitmapStartedAfterTheSwitchoverRecordsFromItsStart() {
        load.accept(m, new Chunk.Switchover());
        start("on", true);
        load.write("vm1", "disk0", 3 * MIB, G);
        bits("on");
        load.accept(m, Chunks.complete("disk0", "on"));
        assertBitmap("on", union(migrated, 3 * MIB, G));
    }

    @Test
    void writesOnlyReachTheirTargetAndNode() {
        start("on", true);
        bits("on");
        load.accept(m, new Chunk.Switchover());
        load.write("vm2", "disk0", 3 * MIB, G);
        load.write("vm1", "disk1", 3 * MIB, G);
        load.accept(m, Chunks.complete("disk0", "on"));
        assertBitmap("on", migrated);
    }

    @Test
    void cancelReleasesUnfinishedBitmapsAndTheirSuccessorsAndKeepsCompletedOnes() {
        start("done", true);
        start("open", true);
        bits("done");
        load.accept(m, Chunks.complete("disk0", "done"));
        load.accept(m, new Chunk.Switchover());
        load.write("vm1", "disk0", 3 * MIB, G);
        List<LoadEvent> events = load.accept(m, Chunks.complete("disk0", "nope"));
        assertThat(Chunks.of(events, LoadEvent.BitmapCancelled.class)).singleElement()
                .satisfies(c -> assertThat(c.names().bitmap()).isEqualTo("open"));
        assertThat(store.bitmap(new BitmapKey("m1", "disk0", "open"))).isEmpty();
        assertThat(store.storedChunks(new BitmapKey("m1", "disk0", "open").successor())).isZero();
        assertBitmap("done", union(migrated, 3 * MIB, G));
        // the completed bitmap still records
        load.write("vm1", "disk0", 3 * MIB + G, 1);
        assertBitmap("done", union(migrated, 3 * MIB, G + 1));
    }

    @Test
    void aWriteAtTheDiskEndIsClippedToTheBitmap() {
        load.accept(m, Chunk.Start.of("disk0", "odd", Granularity.of(G), true, false, 4 * MIB - 512));
        load.accept(m, new Chunk.Switchover());
        load.write("vm1", "disk0", 4 * MIB - 1024, 8 * MIB);
        load.accept(m, Chunks.complete("disk0", "odd"));
        DirtyBitmap expected = new DirtyBitmap(4 * MIB - 512, Granularity.of(G));
        expected.markDirty(4 * MIB - 1024, 512);
        assertBitmap("odd", expected);
    }
}
