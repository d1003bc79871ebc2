package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.bitmap.load.Chunks.MIB;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.junit.jupiter.api.Test;

/** Every row of DESIGN.md section 4's table: QEMU's message and its consequence (cancel or fail). */
class LoadTableTest {
    private static final AliasMap MAPPING = AliasMap.fromJson("""
            [{"node-name": "disk0", "alias": "node0", "bitmaps": [{"name": "b0", "alias": "bm0"}]}]""");

    private final DestinationLoad load = DestinationLoad.inMemory();

    @Test
    void unknownNodeAliasCancelsAndDropsTheMigrationsUnfinishedBitmaps() {
        Migration m = new Migration("m1", "vm1", MAPPING, null);
        load.accept(m, Chunks.start("node0", "bm0", 65536, 64 * MIB));
        List<LoadEvent> events = load.accept(m, Chunks.start("nodeX", "bm0", 65536, 64 * MIB));
        assertThat(events).containsExactly(
                new LoadEvent.BitmapCancelled(names(m, "disk0", "node0", "b0", "bm0"), "Error: Unknown node alias 'nodeX'"),
                new LoadEvent.MigrationCancelled("m1", "vm1", "Error: Unknown node alias 'nodeX'"));
        assertThat(status("m1")).isEqualTo(MigrationStatus.CANCELLED);
    }

    @Test
    void noSuchNodeWithoutMappingNamesTheAliasAsDeviceAndNode() {
        Migration m = new Migration("m1", "vm1", null, Map.of("disk0", 64 * MIB));
        assertThat(load.accept(m, Chunks.start("disk1", "b0", 65536, 64 * MIB))).containsExactly(
                new LoadEvent.MigrationCancelled("m1", "vm1", "Cannot find device='disk1' nor node-name='disk1'"));
    }

    @Test
    void noSuchNodeWithMappingLooksUpTheNodeNameOnly() {
        Migration m = new Migration("m1", "vm1", MAPPING, Map.of("disk9", 64 * MIB));
        assertThat(load.accept(m, Chunks.start("node0", "bm0", 65536, 64 * MIB))).containsExactly(
                new LoadEvent.MigrationCancelled("m1", "vm1", "Cannot find device='' nor node-name='disk0'"));
    }

    @Test
    void unknownBitmapAliasCancels() {
        Migration m = new Migration("m1", "vm1", MAPPING, null);
        assertThat(load.accept(m, Chunks.start("node0", "bmX", 65536, 64 * MIB))).containsExactly(
                new LoadEvent.MigrationCancelled("m1", "vm1",
                        "Error: Unknown bitmap alias 'bmX' on node 'disk0' (alias 'node0')"));
    }

    @Test
    void chunkWithoutNodeOrBitmapNameCancelsButEndOfStreamDoesNot() {
        Migration m = Migration.of("m1", "vm1");
        assertThat(load.accept(m, Chunk.EndOfStream.empty())).isEmpty();
        assertThat(load.accept(m, Chunks.start("", "b0", 65536, 64 * MIB))).containsExactly(
                new LoadEvent.MigrationCancelled("m1", "vm1", "Error: block device name is not set"));
        Migration m2 = Migration.of("m2", "vm1");
        assertThat(load.accept(m2, Chunks.complete("disk0", ""))).containsExactly(
                new LoadEvent.MigrationCancelled("m2", "vm1", "Error: block device name is not set"));
    }

    @Test
    void bitsOrCompleteForABitmapNeverStartedCancel() {
        Migration m = Migration.of("m1", "vm1");
        DirtyBitmap b = Chunks.bitmap(MIB, 65536, 0, 65536);
        assertThat(load.accept(m, Chunks.bits("disk0", "b0", b).get(0))).containsExactly(
                new LoadEvent.MigrationCancelled("m1", "vm1", "Error: unknown dirty bitmap 'b0' for block device 'disk0'"));
        Migration m2 = Migration.of("m2", "vm1");
        assertThat(load.accept(m2, Chunks.complete("disk0", "b1"))).containsExactly(
                new LoadEvent.MigrationCancelled("m2", "vm1", "Error: unknown dirty bitmap 'b1' for block device 'disk0'"));
    }

    @Test
    void startTwiceInOneMigrationFails() {
        Migration m = Migration.of("m1", "vm1");
        load.accept(m, Chunks.start("disk0", "b0", 65536, MIB));
        List<LoadEvent> events = load.accept(m, Chunks.start("disk0", "b0", 65536, MIB));
        String msg = "Bitmap with the same name ('b0') already exists on destination";
        assertThat(events).containsExactly(new LoadEvent.BitmapCancelled(names(m, "disk0", "disk0", "b0", "b0"), msg),
                new LoadEvent.MigrationFailed("m1", "vm1", msg));
        assertThat(status("m1")).isEqualTo(MigrationStatus.FAILED);
    }

    @Test
    void alreadyExistsIsJudgedPerTarget() {
        DirtyBitmap b = Chunks.bitmap(MIB, 65536, 0, 65536);
        List<Chunk> chunks = Chunks.migration(Chunks.sent("disk0", "b0", true, true, b));
        load.acceptAll(Migration.of("m1", "vm1"), chunks);
        assertThat(status("m1")).isEqualTo(MigrationStatus.COMPLETED);

        List<LoadEvent> again = load.acceptAll(Migration.of("m2", "vm1"), chunks);
        assertThat(again).containsExactly(new LoadEvent.MigrationFailed("m2", "vm1",
                "Bitmap with the same name ('b0') already exists on destination"));

        List<LoadEvent> elsewhere = load.acceptAll(Migration.of("m3", "vm2"), chunks);
        assertThat(Chunks.of(elsewhere, LoadEvent.MigrationCompleted.class)).hasSize(1);
    }

    @Test
    void reservedStartFlagsFailWithTheWholeFlagsByteInHex() {
        Migration m = Migration.of("m1", "vm1");
        Chunk.Start bad = new Chunk.Start("disk0", "b0", Granularity.of(65536), 0x0b, MIB);
        assertThat(load.accept(m, bad)).containsExactly(
                new LoadEvent.MigrationFailed("m1", "vm1", "Unknown flags in migrated dirty bitmap header: b"));
        Migration m2 = Migration.of("m2", "vm1");
        assertThat(load.accept(m2, new Chunk.Start("disk0", "b0", Granularity.of(65536), 0x80, MIB)))
                .containsExactly(new LoadEvent.MigrationFailed("m2", "vm1", "Unknown flags in migrated dirty bitmap header: 80"));
    }

    @Test
    void oldAutoloadFlagIsIgnored() {
        Migration m = Migration.of("m1", "vm1");
        List<LoadEvent> events = load.accept(m, new Chunk.Start("disk0", "b0", Granularity.of(65536), 0x04, MIB));
        assertThat(events).containsExactly(new LoadEvent.BitmapStarted(names(m, "disk0", "disk0", "b0", "b0"),
                Granularity.of(65536), MIB, false, false));
    }

    @Test
    void bufferOverTenChunksFailsEvenAfterACancel() {
        Migration m = Migration.of("m1", "vm1");
        load.accept(m, Chunks.start("disk0", "b0", 512, 64 * MIB));
        String tooBig = "Bitmap migration stream buffer allocation request is too big";
        assertThat(load.accept(m, new Chunk.Bits("disk0", "b0", 0, 65536, new byte[10 * 1024 + 1])))
                .containsExactly(new LoadEvent.BitmapCancelled(names(m, "disk0", "disk0", "b0", "b0"), tooBig),
                        new LoadEvent.MigrationFailed("m1", "vm1", tooBig));

        Migration m2 = Migration.of("m2", "vm1");
        load.accept(m2, Chunks.complete("disk0", "nothing"));
        assertThat(status("m2")).isEqualTo(MigrationStatus.CANCELLED);
        assertThat(load.accept(m2, new Chunk.Bits("disk0", "b0", 0, 8, new byte[20000])))
                .containsExactly(new LoadEvent.MigrationFailed("m2", "vm1", tooBig));
    }

    @Test
    void bufferOfExactlyTenChunksIsNotTooBigButMismatchesTheGranularity() {
        Migration m = Migration.of("m1", "vm1");
        load.accept(m, Chunks.start("disk0", "b0", 512, 64 * MIB));
        assertThat(load.accept(m, new Chunk.Bits("disk0", "b0", 0, 8192, new byte[10 * 1024])))
                .contains(new LoadEvent.MigrationCancelled("m1", "vm1",
                        "Migrated bitmap granularity doesn't match the destination bitmap 'b0' granularity"));
    }

    @Test
    void bufferSizeMustLieBetweenNeededAndNeededRoundedUpTo32() {
        // 64 MiB at 64 KiB: 1024 bits, 128 bytes serialized. A chunk of 8 sectors (one bit) needs 8 bytes.
        String mismatch = "Migrated bitmap granularity doesn't match the destination bitmap 'b0' granularity";
        for (int size : new int[] {7, 33, 0}) {
            DestinationLoad fresh = DestinationLoad.inMemory();
            Migration m = Migration.of("m1", "vm1");
            fresh.accept(m, Chunks.start("disk0", "b0", 65536, 64 * MIB));
            assertThat(fresh.accept(m, new Chunk.Bits("disk0", "b0", 0, 128, new byte[size])))
                    .as("buffer of %d bytes", size)
                    .contains(new LoadEvent.MigrationCancelled("m1", "vm1", mismatch));
        }
        for (int size : new int[] {8, 20, 32}) {
            DestinationLoad fresh = DestinationLoad.inMemory();
            Migration m = Migration.of("m1", "vm1");
            fresh.accept(m, Chunks.start("disk0", "b0", 65536, 64 * MIB));
            assertThat(fresh.accept(m, new Chunk.Bits("disk0", "b0", 0, 128, new byte[size])))
                    .as("buffer of %d bytes", size).isEmpty();
        }
    }

    @Test
    void streamErrorFailsTheMigration() {
        Migration m = Migration.of("m1", "vm1");
        load.accept(m, Chunks.start("disk0", "b0", 65536, MIB));
        assertThat(load.streamError(m, "Failed to read bitmap bits")).containsExactly(
                new LoadEvent.BitmapCancelled(names(m, "disk0", "disk0", "b0", "b0"), "Failed to read bitmap bits"),
                new LoadEvent.MigrationFailed("m1", "vm1", "Failed to read bitmap bits"));
    }

    @Test
    void cancelKeepsCompletedBitmapsAndIgnoresLaterChunks() {
        Migration m = Migration.of("m1", "vm1");
        DirtyBitmap b = Chunks.bitmap(MIB, 65536, 0, 65536);
        List<LoadEvent> events = new ArrayList<>();
        events.addAll(load.accept(m, Chunks.start("disk0", "done", 65536, MIB)));
        events.addAll(load.accept(m, Chunks.start("disk0", "open", 65536, MIB)));
        for (Chunk c : Chunks.bits("disk0", "done", b)) {
            events.addAll(load.accept(m, c));
        }
        events.addAll(load.accept(m, Chunks.complete("disk0", "done")));
        events.addAll(load.accept(m, Chunks.complete("disk0", "unknown")));
        // later chunks of the migration change nothing, not even errors
        for (Chunk c : Chunks.bits("disk0", "open", b)) {
            events.addAll(load.accept(m, c));
        }
        events.addAll(load.accept(m, Chunks.complete("disk0", "open")));
        events.addAll(load.accept(m, Chunks.start("nodeX", "x", 65536, MIB)));
        events.addAll(load.accept(m, Chunks.eos("disk0", "done", "disk0", "open")));

        String reason = "Error: unknown dirty bitmap 'unknown' for block device 'disk0'";
        assertThat(events).map(e -> e.getClass().getSimpleName()).containsExactly("BitmapStarted", "BitmapStarted",
                "BitmapCompleted", "BitmapCancelled", "MigrationCancelled");
        assertThat(Chunks.of(events, LoadEvent.BitmapCancelled.class)).containsExactly(
                new LoadEvent.BitmapCancelled(names(m, "disk0", "disk0", "open", "open"), reason));
        assertThat(status("m1")).isEqualTo(MigrationStatus.CANCELLED);

        // a bitmap dropped by the cancel is released: a new migration may create it again
        List<LoadEvent> next = load.accept(Migration.of("m2", "vm1"), Chunks.start("disk0", "open", 65536, MIB));
        assertThat(next).hasSize(1).first().isInstanceOf(LoadEvent.BitmapStarted.class);
    }

    @Test
    void otherMigrationsAreUntouchedByACancel() {
        Migration bad = Migration.of("bad", "vm1");
        Migration good = Migration.of("good", "vm2");
        DirtyBitmap b = Chunks.bitmap(MIB, 65536, 0, 65536);
        List<Chunk> chunks = Chunks.migration(Chunks.sent("disk0", "b0", false, false, b));
        load.accept(bad, chunks.get(0));
        load.accept(good, chunks.get(0));
        load.accept(bad, Chunks.complete("disk0", "missing"));
        List<LoadEvent> events = load.acceptAll(good, chunks.subList(1, chunks.size()));
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).hasSize(1);
        assertThat(status("bad")).isEqualTo(MigrationStatus.CANCELLED);
    }

    @Test
    void startCreatesTheBitmapDisabledWithASuccessorWhenEnabled() {
        InMemoryLoadStore store = new InMemoryLoadStore();
        DestinationLoad d = new DestinationLoad(store, new InMemoryProgressStore());
        Migration m = Migration.of("m1", "vm1");
        d.accept(m, Chunk.Start.of("disk0", "on", Granularity.of(4096), true, false, MIB));
        d.accept(m, Chunk.Start.of("disk0", "off", Granularity.of(4096), false, true, MIB));
        BitmapState on = store.bitmap(new BitmapKey("m1", "disk0", "on")).orElseThrow();
        BitmapState off = store.bitmap(new BitmapKey("m1", "disk0", "off")).orElseThrow();
        assertThat(on.phase()).isEqualTo(BitmapPhase.LOADING);
        assertThat(on.recording()).isFalse();
        assertThat(on.successor()).isTrue();
        assertThat(on.enabled()).isTrue();
        assertThat(off.successor()).isFalse();
        assertThat(off.persistent()).isTrue();
        assertThat(on.granularity()).isEqualTo(Granularity.of(4096));

        d.accept(m, Chunks.complete("disk0", "on"));
        BitmapState done = store.bitmap(new BitmapKey("m1", "disk0", "on")).orElseThrow();
        assertThat(done.phase()).isEqualTo(BitmapPhase.COMPLETE);
        assertThat(done.successor()).as("reclaimed").isFalse();
    }

    @Test
    void sizeFromTheDestinationNodeListWins() {
        Migration m = new Migration("m1", "vm1", null, Map.of("disk0", 2 * MIB));
        assertThat(load.accept(m, Chunks.start("disk0", "b0", 65536, MIB))).containsExactly(
                new LoadEvent.BitmapStarted(names(m, "disk0", "disk0", "b0", "b0"), Granularity.of(65536), 2 * MIB,
                        false, false));
    }

    @Test
    void migrationCompletesOnlyWhenEveryManifestBitmapCompleted() {
        Migration m = Migration.of("m1", "vm1");
        load.accept(m, Chunks.start("disk0", "a", 65536, MIB));
        load.accept(m, Chunks.start("disk0", "b", 65536, MIB));
        assertThat(load.accept(m, Chunks.complete("disk0", "a"))).hasSize(1);
        assertThat(load.accept(m, Chunks.eos("disk0", "a", "disk0", "b"))).isEmpty();
        List<LoadEvent> last = load.accept(m, Chunks.complete("disk0", "b"));
        assertThat(Chunks.of(last, LoadEvent.MigrationCompleted.class)).containsExactly(
                new LoadEvent.MigrationCompleted("m1", "vm1", List.of(names(m, "disk0", "disk0", "a", "a"),
                        names(m, "disk0", "disk0", "b", "b"))));
        assertThat(status("m1")).isEqualTo(MigrationStatus.COMPLETED);
    }

    @Test
    void emptyEndOfStreamIsOnlyABatchBoundary() {
        Migration m = Migration.of("m1", "vm1");
        load.accept(m, Chunks.start("disk0", "a", 65536, MIB));
        load.accept(m, Chunk.EndOfStream.empty());
        assertThat(load.accept(m, Chunks.complete("disk0", "a"))).hasSize(1);
        assertThat(status("m1")).isEqualTo(MigrationStatus.ACTIVE);
    }

    private MigrationStatus status(String migration) {
        return load.progress(migration).map(MigrationProgress::status).orElse(MigrationStatus.ACTIVE);
    }

    static BitmapNames names(Migration m, String node, String nodeAlias, String bitmap, String bitmapAlias) {
        return new BitmapNames(m.id(), m.target(), node, nodeAlias, bitmap, bitmapAlias);
    }
}
