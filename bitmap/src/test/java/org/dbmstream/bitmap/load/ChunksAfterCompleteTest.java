package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.bitmap.load.Chunks.MIB;

import java.util.List;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.junit.jupiter.api.Test;

/**
 * BITS and COMPLETE for a bitmap that completed already (issue 12). QEMU's load side would still
 * deserialize such BITS into the migrated bitmap ({@code dirty_bitmap_load_bits} does not look at the
 * bitmap's state). We deliberately do not: QEMU's save side never sends them (COMPLETE is a bitmap's last
 * chunk), so on a Kafka topic they only come from a stray or replayed source, and the BitmapCompleted
 * event already gave backup tools the bitmap's sha256 and count. Changing the bitmap afterwards would
 * make that report wrong without anyone asking for it. The chunk is ignored with a warning, the
 * bitmap keeps exactly the bits QEMU's source sent, and no event follows.
 */
class ChunksAfterCompleteTest {

    @Test
    void aCompletedBitmapKeepsItsBitsAndReportsNothingMore() {
        InMemoryLoadStore store = new InMemoryLoadStore();
        DestinationLoad load = new DestinationLoad(store, new InMemoryProgressStore());
        Migration m = Migration.of("m1", "vm1");
        DirtyBitmap sent = Chunks.bitmap(4 * MIB, 65536, 0, 65536, 2 * MIB, 131072);
        List<LoadEvent> events = load.acceptAll(m, Chunks.migration(Chunks.sent("disk0", "b0", false, true, sent)));
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).hasSize(1);

        DirtyBitmap stray = Chunks.bitmap(4 * MIB, 65536, MIB, 3 * MIB);
        List<LoadEvent> after = load.acceptAll(m, Chunks.bits("disk0", "b0", stray));
        assertThat(after).isEmpty();
        assertThat(load.accept(m, Chunks.complete("disk0", "b0"))).isEmpty();

        BitmapKey key = new BitmapKey("m1", "disk0", "b0");
        BitmapDigest.Result stored = ChunkSlots.digest(store, key, Granularity.of(65536), sent.bitCount());
        assertThat(stored.sha256()).isEqualTo(sent.sha256());
        assertThat(stored.count()).isEqualTo(sent.count());
        assertThat(load.progress("m1")).map(MigrationProgress::status).contains(MigrationStatus.COMPLETED);
    }
}
