package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.ChunkDigest;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapRemoved;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.topology.store.StoredBitmaps;
import org.junit.jupiter.api.Test;

/**
 * Versions of a replica through the real topology and RocksDB stores (DESIGN.md section 12): a delta is
 * staged out of sight and applied in place at COMPLETE under the first migration's key; a refused delta
 * changes nothing and its migration completes; a removal frees the name for a plain migration.
 */
class DeltaTopologyTest {
    /** 4 GiB at 4 KiB: a 128 KiB bitmap, two 64 KiB segments. */
    private static final long SIZE = 4096 * MIB;
    private static final long G = 4096;

    @Test
    void aDeltaIsStagedOutOfSightThenAppliedInPlace() throws Exception {
        DirtyBitmap v1 = TestChunks.bitmap(SIZE, G, 0, 65536, 1024 * MIB, 64 * MIB);
        DirtyBitmap v2 = TestChunks.bitmap(SIZE, G, 0, 65536, 1024 * MIB, 64 * MIB, 3000 * MIB, 4096, 4000 * MIB, MIB);
        v2.setRange(1024 * MIB / G, 3, false);
        try (DestinationDriver d = new DestinationDriver()) {
            full(d, "m1", v1);
            List<Chunk> delta = delta(v1, v2);
            d.specReplacing("m2", "vm-17");
            d.chunks("m2", delta.subList(0, delta.size() - 2));
            StoredBitmaps.Stored during = d.stored().find("vm-17", "disk0", "b0").orElseThrow();
            assertThat(during.state().sha256()).isEqualTo(v1.sha256());
            List<String> held = new ArrayList<>();
            d.stored().forEachBitmap("vm-17", s -> held.add(s.key().migration()));
            assertThat(held).containsExactly("m1");

            d.chunks("m2", delta.subList(delta.size() - 2, delta.size()));
            BitmapCompleted done = completed(d.events(), "m2");
            assertThat(done.getSha256()).isEqualTo(v2.sha256());
            assertThat(done.getCount()).isEqualTo(v2.count());
            assertThat(done.getBase()).isEqualTo(v1.sha256());
            assertThat(done.getChangedChunks()).isEqualTo(delta.size() - 5).isLessThan(6);
            assertThat(done.getVersions()).isEqualTo(2);
            assertThat(done.getReadTime()).isEqualTo(4242L);
            assertThat(EventsView.of(d.events(), MigrationCompleted.class)).extracting(Event::getMigration)
                    .containsExactly("m1", "m2");
            StoredBitmaps.Stored after = d.stored().find("vm-17", "disk0", "b0").orElseThrow();
            assertThat(after.key().migration()).isEqualTo("m1");
            assertThat(after.state().sha256()).isEqualTo(v2.sha256());
            assertThat(after.state().replica().madeBy()).isEqualTo("m2");
            assertThat(after.state().replica().versions()).isEqualTo(2);
            assertThat(after.state().replica().readTime()).isEqualTo(4242L);
            assertThat(rawSha256(d, after)).isEqualTo(v2.sha256());
        }
    }

    @Test
    void aRefusedDeltaChangesNothingAndItsMigrationCompletes() throws Exception {
        DirtyBitmap v1 = TestChunks.bitmap(SIZE, G, 0, 65536);
        DirtyBitmap elsewhere = TestChunks.bitmap(SIZE, G, MIB, 65536);
        DirtyBitmap v2 = TestChunks.bitmap(SIZE, G, 0, 65536, 7 * MIB, 4096);
        try (DestinationDriver d = new DestinationDriver()) {
            full(d, "m1", v1);
            d.specReplacing("m2", "vm-17");
            d.chunks("m2", delta(elsewhere, v2));
            BitmapCancelled refused = EventsView.bodies(d.events(), BitmapCancelled.class).get(0);
            assertThat(refused.getRefused()).isTrue();
            assertThat(refused.getReason()).contains("not the delta's base");
            assertThat(EventsView.bodies(d.events(), MigrationFailed.class)).isEmpty();
            assertThat(EventsView.of(d.events(), MigrationCompleted.class)).extracting(Event::getMigration)
                    .containsExactly("m1", "m2");
            assertThat(d.stored().find("vm-17", "disk0", "b0").orElseThrow().state().sha256()).isEqualTo(v1.sha256());
        }
    }

    @Test
    void aRemovalFreesTheNameForAPlainMigration() throws Exception {
        DirtyBitmap v1 = TestChunks.bitmap(SIZE, G, 0, 65536);
        try (DestinationDriver d = new DestinationDriver()) {
            full(d, "m1", v1);
            d.specReplacing("m2", "vm-17");
            d.chunks("m2", List.of(TestChunks.start("disk0", "b0", G, SIZE).versioned(Chunk.Version.removal(), 0),
                    new Chunk.EndOfStream(List.of(new Chunk.BitmapRef("disk0", "b0")))));
            assertThat(EventsView.of(d.events(), BitmapRemoved.class)).singleElement()
                    .satisfies(e -> assertThat(e.getMigration()).isEqualTo("m2"));
            assertThat(d.stored().find("vm-17", "disk0", "b0")).isEmpty();

            d.spec("m3", "vm-17");
            d.chunks("m3", TestChunks.migration(TestChunks.sent("disk0", "b0", false, false, v1)));
            assertThat(EventsView.of(d.events(), MigrationCompleted.class)).extracting(Event::getMigration)
                    .containsExactly("m1", "m2", "m3");
        }
    }

    private static void full(DestinationDriver d, String migration, DirtyBitmap bits) {
        List<Chunk> chunks = new ArrayList<>(TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, bits)));
        chunks.set(0, ((Chunk.Start) chunks.get(0)).versioned(Chunk.Version.whole(bits.sha256(), bits.count()), 1L));
        d.specReplacing(migration, "vm-17");
        d.chunks(migration, chunks);
        assertThat(completed(d.events(), migration).getSha256()).isEqualTo(bits.sha256());
    }

    /** START (a delta on {@code base}), EOS, the BITS of the chunks that differ, EOS, COMPLETE, the final EOS. */
    private static List<Chunk> delta(DirtyBitmap base, DirtyBitmap next) {
        BitmapChunker after = new BitmapChunker(next, "disk0", "b0");
        List<Chunk> out = new ArrayList<>();
        out.add(Chunk.Start.of("disk0", "b0", next.granularity(), true, false, SIZE)
                .versioned(Chunk.Version.delta(base.sha256(), next.sha256(), next.count()), 4242L));
        out.add(Chunk.EndOfStream.empty());
        for (long i : ChunkDigest.changed(ChunkDigest.all(new BitmapChunker(base, "disk0", "b0")),
                ChunkDigest.all(after))) {
            out.add(after.chunk(i));
        }
        out.add(Chunk.EndOfStream.empty());
        out.add(TestChunks.complete("disk0", "b0"));
        out.add(new Chunk.EndOfStream(List.of(new Chunk.BitmapRef("disk0", "b0"))));
        return out;
    }

    private static BitmapCompleted completed(List<Event> events, String migration) {
        return EventsView.of(events, BitmapCompleted.class).stream().filter(e -> e.getMigration().equals(migration))
                .map(e -> (BitmapCompleted) e.getBody()).findFirst().orElseThrow();
    }

    /** QEMU's sha256 of the stored bits, read back as the query API reads them. */
    private static String rawSha256(DestinationDriver d, StoredBitmaps.Stored bitmap) {
        DirtyBitmap back = new DirtyBitmap(bitmap.state().size(), bitmap.state().granularity());
        d.stored().forEachRange(bitmap.key(), (firstBit, bytes) -> back.deserialize(firstBit,
                Math.min(bytes.length * 8L, back.bitCount() - firstBit), bytes));
        return back.sha256();
    }
}
