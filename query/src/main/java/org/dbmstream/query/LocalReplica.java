package org.dbmstream.query;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.dbmstream.topology.store.StoredBitmaps;

/**
 * What this instance holds: the bitmaps of its active loading tasks, read through
 * {@link StoredBitmaps} (committed state only when the application runs with transactional state stores
 * and read-committed interactive queries, as {@link QueryingDestination} sets up).
 */
final class LocalReplica {
    private final Supplier<KafkaStreams> streams;

    LocalReplica(Supplier<KafkaStreams> streams) {
        this.streams = streams;
    }

    /** Every bitmap of {@code target} (null: of all targets) held here. */
    List<BitmapView> bitmaps(String target) {
        List<BitmapView> out = new ArrayList<>();
        stores().forEachBitmap(target, s -> out.add(BitmapView.of(s)));
        return out;
    }

    Optional<StoredBitmaps.Stored> find(String target, String node, String name) {
        return stores().find(target, node, name);
    }

    /** Writes the JSON extents of {@code [start, start + length)} (clipped to the disk) of a bitmap held here. */
    void extents(StoredBitmaps.Stored bitmap, long start, long length, DirtyExtents.Sink sink) {
        long g = bitmap.state().granularity().bytes();
        long disk = bitmap.state().size() >= 0 ? bitmap.state().size() : bitmap.state().bitCount() * g;
        long from = Math.min(Math.max(0, start), disk);
        // length may be as large as Long.MAX_VALUE: compare with what is left of the disk, never add
        long to = length < 0 || length > disk - from ? disk : from + length;
        DirtyExtents extents = new DirtyExtents(g, from, to, sink);
        stores().forEachRange(bitmap.key(), extents::range);
        extents.finish();
    }

    /** Writes the bitmap's bytes in QEMU's layout. */
    void raw(StoredBitmaps.Stored bitmap, OutputStream out) {
        RawBitmap raw = new RawBitmap(out, bitmap.state().bitCount());
        stores().forEachRange(bitmap.key(), raw::range);
        raw.finish();
    }

    /** Bytes {@link #raw} writes. */
    static long rawLength(StoredBitmaps.Stored bitmap) {
        return (bitmap.state().bitCount() + 7) / 8;
    }

    private StoredBitmaps stores() {
        KafkaStreams s = streams.get();
        if (s == null || s.state() != KafkaStreams.State.RUNNING) {
            throw new Unavailable("the destination is " + (s == null ? "starting" : s.state())
                    + "; its state cannot be queried now");
        }
        try {
            return StoredBitmaps.of(s);
        } catch (InvalidStateStoreException e) {
            throw new Unavailable("the destination's state is moving (rebalance): " + e.getMessage(), e);
        }
    }
}
