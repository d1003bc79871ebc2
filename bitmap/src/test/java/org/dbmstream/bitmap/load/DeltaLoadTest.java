package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.bitmap.load.Chunks.MIB;

import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.ChunkDigest;
import org.junit.jupiter.api.Test;

/**
 * Versions of a replica (DESIGN.md section 12) on the domain's load side: a delta applies in place only to the
 * replica's current version and only when its result is the announced one; a refused delta changes nothing and
 * lets its migration complete; of two deltas on one base one wins; removals and replacements happen in order.
 */
class DeltaLoadTest {
    private static final long SIZE = 64 * MIB;
    private static final long G = 4096;

    private final InMemoryLoadStore store = new InMemoryLoadStore();
    private final DestinationLoad load = new DestinationLoad(store, new InMemoryProgressStore());

    @Test
    void aDeltaOfTheChangedChunksMakesTheNewVersionInPlace() {
        DirtyBitmap v1 = Chunks.bitmap(SIZE, G, 0, 65536, 10 * MIB, 3 * MIB);
        DirtyBitmap v2 = Chunks.bitmap(SIZE, G, 0, 65536, 10 * MIB, 3 * MIB, 40 * MIB, 8192, 63 * MIB, MIB);
        v2.setRange(10 * MIB / G, 1, false); // a bit cleared too: a delta overwrites, it does not only set
        full("m1", v1);
        List<LoadEvent> events = delta("m2", v1, v2);

        LoadEvent.BitmapCompleted done = Chunks.of(events, LoadEvent.BitmapCompleted.class).get(0);
        assertThat(done.sha256()).isEqualTo(digest(v2).sha256());
        assertThat(done.count()).isEqualTo(digest(v2).count());
        assertThat(done.version().base()).isEqualTo(digest(v1).sha256());
        assertThat(done.version().changedChunks()).isEqualTo(changed(v1, v2).size()).isLessThan(10);
        assertThat(done.version().versions()).isEqualTo(2);
        assertThat(done.version().owner()).isEqualTo("m1");
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).hasSize(1);
        // stored in place, under the first migration's key; the staging is gone
        BitmapState current = store.current("vm1", "disk0", "b0").orElseThrow();
        assertThat(current.names().migration()).isEqualTo("m1");
        assertThat(current.sha256()).isEqualTo(digest(v2).sha256());
        assertThat(current.replica().madeBy()).isEqualTo("m2");
        assertThat(ChunkSlots.digest(store, current.names().key(), current.granularity(), current.bitCount()).sha256())
                .isEqualTo(digest(v2).sha256());
        assertThat(store.bitmapsOf("m2")).isEmpty();
    }

    @Test
    void aDeltaOnAnotherVersionIsRefusedAndItsMigrationStillCompletes() {
        DirtyBitmap v1 = Chunks.bitmap(SIZE, G, 0, 65536);
        DirtyBitmap other = Chunks.bitmap(SIZE, G, MIB, 65536);
        DirtyBitmap v2 = Chunks.bitmap(SIZE, G, 0, 65536, 5 * MIB, 4096);
        full("m1", v1);
        List<LoadEvent> events = delta("m2", other, v2);

        LoadEvent.BitmapCancelled refused = Chunks.of(events, LoadEvent.BitmapCancelled.class).get(0);
        assertThat(refused.refused()).isTrue();
        assertThat(refused.reason()).contains("is version " + digest(v1).sha256().substring(0, 12))
                .contains("not the delta's base " + digest(other).sha256().substring(0, 12));
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class).get(0).bitmaps()).isEmpty();
        assertThat(store.current("vm1", "disk0", "b0").orElseThrow().sha256()).isEqualTo(digest(v1).sha256());
    }

    @Test
    void aDeltaWithoutABaseIsRefused() {
        DirtyBitmap v2 = Chunks.bitmap(SIZE, G, 0, 65536);
        List<LoadEvent> events = delta("m2", Chunks.bitmap(SIZE, G), v2);
        assertThat(Chunks.of(events, LoadEvent.BitmapCancelled.class).get(0).reason()).contains("does not exist");
        assertThat(store.current("vm1", "disk0", "b0")).isEmpty();
    }

    @Test
    void ofTwoDeltasOnOneBaseTheFirstToCompleteWins() {
        DirtyBitmap v1 = Chunks.bitmap(SIZE, G, 0, 65536);
        DirtyBitmap a = Chunks.bitmap(SIZE, G, 0, 65536, 7 * MIB, 4096);
        DirtyBitmap b = Chunks.bitmap(SIZE, G, 0, 65536, 9 * MIB, 4096);
        full("m1", v1);
        Migration ma = Migration.of("ma", "vm1");
        Migration mb = Migration.of("mb", "vm1");
        List<Chunk> ca = deltaChunks(v1, a);
        List<Chunk> cb = deltaChunks(v1, b);
        List<LoadEvent> events = new ArrayList<>();
        // interleaved: both START on v1, then a completes first
        for (int i = 0; i < Math.max(ca.size(), cb.size()); i++) {
            if (i < ca.size()) {
                events.addAll(load.accept(ma, ca.get(i)));
            }
            if (i < cb.size()) {
                events.addAll(load.accept(mb, cb.get(i)));
            }
        }
        assertThat(Chunks.of(events, LoadEvent.BitmapCompleted.class)).extracting(e -> e.names().migration())
                .containsExactly("ma");
        assertThat(Chunks.of(events, LoadEvent.BitmapCancelled.class)).extracting(e -> e.names().migration())
                .containsExactly("mb");
        assertThat(store.current("vm1", "disk0", "b0").orElseThrow().sha256()).isEqualTo(digest(a).sha256());
    }

    @Test
    void aResultOtherThanTheAnnouncedOneIsRefusedAndTheBaseStays() {
        DirtyBitmap v1 = Chunks.bitmap(SIZE, G, 0, 65536);
        DirtyBitmap v2 = Chunks.bitmap(SIZE, G, 0, 65536, 20 * MIB, 4096, 30 * MIB, 4096);
        full("m1", v1);
        List<Chunk> chunks = deltaChunks(v1, v2);
        chunks.removeIf(c -> c instanceof Chunk.Bits b && b.firstSector() == (30 * MIB / G / 8192) * 8192 * (G / 512));
        List<LoadEvent> events = load.acceptAll(Migration.of("m2", "vm1"), chunks);
        assertThat(Chunks.of(events, LoadEvent.BitmapCancelled.class).get(0).reason())
                .contains("not the announced " + digest(v2).sha256().substring(0, 12));
        BitmapState current = store.current("vm1", "disk0", "b0").orElseThrow();
        assertThat(current.sha256()).isEqualTo(digest(v1).sha256());
        assertThat(ChunkSlots.digest(store, current.names().key(), current.granularity(), current.bitCount()).sha256())
                .isEqualTo(digest(v1).sha256());
    }

    @Test
    void aDeltaOfRangesThatCoverPartsOfSlotsOverwritesExactlyThoseBytes() {
        DirtyBitmap v1 = Chunks.bitmap(SIZE, G, 0, SIZE);
        full("m1", v1);
        DirtyBitmap v2 = Chunks.bitmap(SIZE, G, 0, SIZE);
        v2.setRange(64, 64 * 3, false); // words 1..3 of slot 0
        Migration m = Migration.of("m2", "vm1");
        Chunk.Start start = Chunks.start("disk0", "b0", G, SIZE)
                .versioned(Chunk.Version.delta(digest(v1).sha256(), digest(v2).sha256(), digest(v2).count()), 5L);
        long sectors = 64L * 3 * G / 512;
        List<LoadEvent> events = new ArrayList<>(load.accept(m, start));
        // a ZEROES range of three words, starting on word 1: neither slot-aligned nor slot-long
        events.addAll(load.accept(m, new Chunk.Bits("disk0", "b0", G * 64 / 512, sectors, null)));
        events.addAll(load.accept(m, Chunks.complete("disk0", "b0")));
        events.addAll(load.accept(m, Chunks.eos("disk0", "b0")));
        assertThat(Chunks.of(events, LoadEvent.BitmapCompleted.class).get(0).sha256()).isEqualTo(digest(v2).sha256());
    }

    @Test
    void aRemovalRemovesTheReplicaAndAnAbsentOneIsSettled() {
        full("m1", Chunks.bitmap(SIZE, G, 0, 65536));
        Migration m = Migration.of("m2", "vm1");
        Chunk.Start remove = Chunks.start("disk0", "b0", G, SIZE).versioned(Chunk.Version.removal(), 0);
        Chunk.Start absent = Chunks.start("disk0", "gone", G, SIZE).versioned(Chunk.Version.removal(), 0);
        List<LoadEvent> events = new ArrayList<>(load.accept(m, remove));
        events.addAll(load.accept(m, absent));
        events.addAll(load.accept(m, Chunks.eos("disk0", "b0", "disk0", "gone")));
        assertThat(Chunks.of(events, LoadEvent.BitmapRemoved.class)).singleElement()
                .satisfies(r -> assertThat(r.reason()).startsWith(ReplicaVersions.REMOVED_AT_SOURCE));
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).hasSize(1);
        assertThat(store.current("vm1", "disk0", "b0")).isEmpty();
        assertThat(store.completedBy("vm1", "disk0", "b0")).isEmpty();
    }

    @Test
    void aReplaceRemovesTheOldBitmapAtItsCompleteAndCountsTheVersion() {
        full("m1", Chunks.bitmap(SIZE, G, 0, 65536));
        DirtyBitmap v2 = Chunks.bitmap(SIZE, G, MIB, 65536);
        Migration m = new Migration("m2", "vm1", null, null, true);
        List<LoadEvent> events = load.acceptAll(m, Chunks.migration(Chunks.sent("disk0", "b0", false, false, v2)));
        assertThat(Chunks.of(events, LoadEvent.BitmapRemoved.class)).singleElement()
                .satisfies(r -> assertThat(r.names().migration()).isEqualTo("m1"));
        assertThat(Chunks.of(events, LoadEvent.BitmapCompleted.class).get(0).version().versions()).isEqualTo(2);
        assertThat(store.current("vm1", "disk0", "b0").orElseThrow().names().migration()).isEqualTo("m2");
        assertThat(store.bitmapsOf("m1")).isEmpty();
    }

    @Test
    void withoutReplaceACompleteAfterAnothersIsAlreadyExists() {
        DirtyBitmap v = Chunks.bitmap(SIZE, G, 0, 65536);
        Migration a = Migration.of("a", "vm1");
        Migration b = Migration.of("b", "vm1");
        List<Chunk> ca = Chunks.migration(Chunks.sent("disk0", "b0", false, false, v));
        List<Chunk> cb = Chunks.migration(Chunks.sent("disk0", "b0", false, false, v));
        List<LoadEvent> events = new ArrayList<>();
        for (int i = 0; i < ca.size(); i++) {
            events.addAll(load.accept(a, ca.get(i)));
            events.addAll(load.accept(b, cb.get(i)));
        }
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).extracting(LoadEvent::migration)
                .containsExactly("a");
        assertThat(Chunks.of(events, LoadEvent.MigrationFailed.class)).singleElement()
                .satisfies(f -> assertThat(f.reason()).isEqualTo(LoadError.alreadyExists("b0").message()));
    }

    @Test
    void aWholeBitmapWithAnAnnouncedVersionIsCheckedAtComplete() {
        DirtyBitmap v = Chunks.bitmap(SIZE, G, 0, 65536);
        List<Chunk> chunks = new ArrayList<>(Chunks.migration(Chunks.sent("disk0", "b0", false, false, v)));
        chunks.set(0, ((Chunk.Start) chunks.get(0)).versioned(Chunk.Version.whole("00" + digest(v).sha256()
                .substring(2), digest(v).count()), 0));
        List<LoadEvent> events = load.acceptAll(new Migration("m1", "vm1", null, null, true), chunks);
        assertThat(Chunks.of(events, LoadEvent.BitmapCancelled.class)).singleElement()
                .satisfies(c -> assertThat(c.refused()).isTrue());
        assertThat(store.current("vm1", "disk0", "b0")).isEmpty();
    }

    private void full(String migration, DirtyBitmap bits) {
        List<Chunk> chunks = new ArrayList<>(Chunks.migration(Chunks.sent("disk0", "b0", false, false, bits)));
        chunks.set(0, ((Chunk.Start) chunks.get(0)).versioned(Chunk.Version.whole(digest(bits).sha256(),
                digest(bits).count()), 1L));
        List<LoadEvent> events = load.acceptAll(new Migration(migration, "vm1", null, null, true), chunks);
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).as("full %s", migration).hasSize(1);
    }

    private List<LoadEvent> delta(String migration, DirtyBitmap base, DirtyBitmap next) {
        return load.acceptAll(new Migration(migration, "vm1", null, null, true), deltaChunks(base, next));
    }

    /** START (a delta on {@code base}), the BITS of the chunks that differ, COMPLETE, the final EOS. */
    private static List<Chunk> deltaChunks(DirtyBitmap base, DirtyBitmap next) {
        List<Chunk> out = new ArrayList<>();
        BitmapDigest.Result b = digest(base);
        BitmapDigest.Result n = digest(next);
        out.add(Chunks.start("disk0", "b0", G, SIZE).versioned(Chunk.Version.delta(b.sha256(), n.sha256(), n.count()),
                42L));
        out.addAll(changed(base, next));
        out.add(Chunks.complete("disk0", "b0"));
        out.add(Chunks.eos("disk0", "b0"));
        return out;
    }

    private static List<Chunk.Bits> changed(DirtyBitmap base, DirtyBitmap next) {
        BitmapChunker after = new BitmapChunker(next, "disk0", "b0");
        List<Chunk.Bits> out = new ArrayList<>();
        for (long i : ChunkDigest.changed(ChunkDigest.all(new BitmapChunker(base, "disk0", "b0")),
                ChunkDigest.all(after))) {
            out.add(after.chunk(i));
        }
        return out;
    }

    private static BitmapDigest.Result digest(DirtyBitmap b) {
        return b.digest();
    }
}
