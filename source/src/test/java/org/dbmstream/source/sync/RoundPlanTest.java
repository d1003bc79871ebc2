package org.dbmstream.source.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.schemas.SyncState;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.source.SequencedChunk;
import org.junit.jupiter.api.Test;

/**
 * What a round sends per bitmap (unchanged, delta of the changed chunks, whole, removal), the chunks that carry
 * it, and what is remembered of a version on the sync topic, in parts.
 */
class RoundPlanTest {
    private static final long MIB = 1L << 20;

    @Test
    void eachBitmapGetsWhatItsChangeNeeds() {
        DirtyBitmap same = bitmap(64 * MIB, 4096, 0);
        DirtyBitmap changed = bitmap(64 * MIB, 4096, 0);
        DirtyBitmap fresh = bitmap(64 * MIB, 4096, 5 * MIB);
        Map<BitmapIdentity, RememberedVersion> remembered = new HashMap<>();
        remember(remembered, scan("same", same));
        remember(remembered, scan("changed", changed));
        remember(remembered, scan("gone", bitmap(64 * MIB, 4096, 0)));
        remember(remembered, ScannedBitmap.scan("other", "x", new MigrationBitmap("other", "x", false, false,
                bitmap(64 * MIB, 4096, 0)), new BitmapIdentity("vm", "other", "x"), 5));
        changed.markDirty(40 * MIB, 4096);

        RoundPlan plan = RoundPlan.of(List.of(scan("same", same), scan("changed", changed), scan("fresh", fresh)),
                remembered, Set.of("disk"), true);
        Map<String, RoundPlan.Action> byName = new HashMap<>();
        plan.actions().forEach(a -> byName.put(a.id().bitmap(), a));
        assertThat(byName.get("same").kind()).isEqualTo(RoundPlan.Kind.UNCHANGED);
        assertThat(byName.get("changed").kind()).isEqualTo(RoundPlan.Kind.DELTA);
        assertThat(byName.get("changed").changed()).containsExactly(40 * MIB / 4096 / 8192);
        assertThat(byName.get("fresh").kind()).isEqualTo(RoundPlan.Kind.FULL);
        assertThat(byName.get("fresh").why()).isEqualTo("new");
        assertThat(byName.get("gone").kind()).isEqualTo(RoundPlan.Kind.REMOVE);
        assertThat(byName).as("another node's bitmaps are not this round's").doesNotContainKey("x");
        assertThat(RoundPlan.of(List.of(), remembered, Set.of("disk"), false).actions()).isEmpty();

        List<Chunk> chunks = new ArrayList<>();
        var source = RoundChunkSource.of(plan.sending());
        while (source.hasNext()) {
            SequencedChunk c = source.next();
            chunks.add(c.chunk());
        }
        long bits = chunks.stream().filter(c -> c instanceof Chunk.Bits).count();
        assertThat(bits).as("the delta's changed chunk and the new bitmap's two").isEqualTo(1 + 2);
        assertThat(chunks.stream().filter(c -> c instanceof Chunk.Complete).count()).isEqualTo(2);
        Chunk.Start delta = (Chunk.Start) chunks.get(0);
        assertThat(delta.bitmapAlias()).isEqualTo("changed");
        assertThat(delta.version().base()).isEqualTo(remembered.get(new BitmapIdentity("vm", "disk", "changed"))
                .sha256());
        assertThat(delta.flags() & Chunk.FLAG_VERSIONED).isNotZero();
        assertThat(((Chunk.Start) chunks.get(2)).version().remove()).isTrue();
        assertThat(((Chunk.EndOfStream) chunks.get(chunks.size() - 1)).manifest()).hasSize(3);
    }

    @Test
    void aGeometryOrFlagChangeGoesWhole() {
        Map<BitmapIdentity, RememberedVersion> remembered = new HashMap<>();
        remember(remembered, scan("b", bitmap(64 * MIB, 4096, 0)));
        ScannedBitmap larger = scan("b", bitmap(128 * MIB, 4096, 0));
        assertThat(RoundPlan.of(List.of(larger), remembered, Set.of("disk"), true).actions().get(0).why())
                .isEqualTo("disk size " + 64 * MIB + " -> " + 128 * MIB);
    }

    @Test
    void aVersionIsRememberedInPartsThatMustAgree() {
        SyncStateTopic topic = new SyncStateTopic("t.sync", DbmSerdes.syncState(Map.of()));
        long[] digests = new long[SyncStateTopic.PART_CHUNKS * 2 + 5];
        for (int i = 0; i < digests.length; i++) {
            digests[i] = i * 31L;
        }
        BitmapIdentity id = new BitmapIdentity("vm", "disk", "big");
        RememberedVersion v = new RememberedVersion(id, "ab", 4096, 512, 1L << 40, true, false, 8, digests, "disk",
                "big", "m1", 7, 6);
        var records = topic.records(v, 3);
        assertThat(records).hasSize(3).allMatch(r -> r.partition() == SyncStateTopic.partitionOf("vm", 3))
                .allMatch(r -> r.value().length < 1_000_000);
        Map<String, SyncState> latest = new HashMap<>();
        records.forEach(r -> latest.put(r.key(), DbmSerdes.syncState(Map.of()).deserialize("t.sync", r.value())));
        RememberedVersion back = SyncStateTopic.assemble(latest, "vm").get(id);
        assertThat(back.digests()).containsExactly(digests);
        assertThat(back.sha256()).isEqualTo("ab");
        latest.put(id.key(2), null);
        assertThat(SyncStateTopic.assemble(latest, "vm")).as("a part missing").isEmpty();
    }

    private static void remember(Map<BitmapIdentity, RememberedVersion> m, ScannedBitmap s) {
        m.put(s.id(), s.confirmed("m0", 1));
    }

    private static ScannedBitmap scan(String name, DirtyBitmap bits) {
        return ScannedBitmap.scan("disk", name, new MigrationBitmap("disk", name, false, false, bits),
                new BitmapIdentity("vm", "disk", name), 5);
    }

    private static DirtyBitmap bitmap(long size, long g, long dirty) {
        DirtyBitmap b = new DirtyBitmap(size, Granularity.of(g));
        b.markDirty(dirty, 4096);
        return b;
    }
}
