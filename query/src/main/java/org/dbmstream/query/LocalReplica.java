package org.dbmstream.query;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.dbmstream.topology.store.KeyValueProgressStore;
import org.dbmstream.topology.store.StoreNames;
import org.dbmstream.topology.store.StoredBitmaps;

/**
 * What this instance holds: the bitmaps of its active loading tasks, read through
 * {@link StoredBitmaps} (committed state only when the application runs with transactional state stores
 * and read-committed interactive queries, as {@link QueryingDestination} sets up). Every read says which
 * partitions of the loading stores it covered ({@link Covered}): those of this instance's active loading
 * tasks, each checked queryable before and after the read. A task still restoring, or moving away, makes the
 * read unavailable rather than silently absent, so that "not found" is only ever said with every partition
 * looked at.
 */
final class LocalReplica {
    private final Supplier<KafkaStreams> streams;
    private final String chunksTopic;

    /** What a read found, and the loading partitions it looked at. */
    record Covered<T>(T value, Set<Integer> partitions) {
    }

    /** @param chunksTopic the topic the loading tasks read: their partitions are the stores' partitions */
    LocalReplica(Supplier<KafkaStreams> streams, String chunksTopic) {
        this.streams = streams;
        this.chunksTopic = chunksTopic;
    }

    /** Every bitmap of {@code target} (null: of all targets) held here. */
    Covered<List<BitmapView>> bitmaps(String target) {
        return read(stores -> {
            List<BitmapView> out = new ArrayList<>();
            stores.forEachBitmap(target, s -> out.add(BitmapView.of(s)));
            return out;
        });
    }

    /** How many bitmaps each target has here (from the query index, no bitmap read). */
    Covered<java.util.Map<String, Long>> countsByTarget() {
        return read(StoredBitmaps::countsByTarget);
    }

    Covered<Optional<StoredBitmaps.Stored>> find(String target, String node, String name) {
        return read(stores -> stores.find(target, node, name));
    }

    /** Writes the JSON extents of {@code [start, start + length)} (clipped to the disk) of a bitmap held here. */
    void extents(StoredBitmaps.Stored bitmap, long start, long length, DirtyExtents.Sink sink) {
        long[] window = window(bitmap, start, length);
        DirtyExtents extents = new DirtyExtents(bitmap.state().granularity().bytes(), window[0], window[1], sink);
        stores(running()).forEachRange(bitmap.key(), extents::range);
        extents.finish();
    }

    /** The dirty bytes of {@code [start, start + length)} (clipped to the disk) in at most {@code n} buckets. */
    DirtyBuckets buckets(StoredBitmaps.Stored bitmap, long start, long length, int n) {
        long[] window = window(bitmap, start, length);
        DirtyBuckets buckets = new DirtyBuckets(bitmap.state().granularity().bytes(), window[0], window[1], n);
        stores(running()).forEachRange(bitmap.key(), buckets::range);
        return buckets;
    }

    /** {@code [start, start + length)} clipped to the disk (length -1: to its end), as {from, to}. */
    private static long[] window(StoredBitmaps.Stored bitmap, long start, long length) {
        long g = bitmap.state().granularity().bytes();
        long disk = bitmap.state().size() >= 0 ? bitmap.state().size() : bitmap.state().bitCount() * g;
        long from = Math.min(Math.max(0, start), disk);
        // length may be as large as Long.MAX_VALUE: compare with what is left of the disk, never add
        long to = length < 0 || length > disk - from ? disk : from + length;
        return new long[] {from, to};
    }

    /** Every migration whose tracker task runs here (each migration has one, whichever partitions it loaded on). */
    List<MigrationView> migrations() {
        List<MigrationView> out = new ArrayList<>();
        KafkaStreams s = running();
        try {
            KeyValueProgressStore.forEachProgress(s.store(StoreQueryParameters.fromNameAndType(StoreNames.MIGRATIONS,
                    QueryableStoreTypes.keyValueStore())), p -> out.add(MigrationView.of(p)));
        } catch (InvalidStateStoreException e) {
            throw new Unavailable("the destination's state is moving (rebalance): " + e.getMessage(), e);
        }
        return out;
    }

    /** Writes the bitmap's bytes in QEMU's layout. */
    void raw(StoredBitmaps.Stored bitmap, OutputStream out) {
        RawBitmap raw = new RawBitmap(out, bitmap.state().bitCount());
        stores(running()).forEachRange(bitmap.key(), raw::range);
        raw.finish();
    }

    /** Bytes {@link #raw} writes. */
    static long rawLength(StoredBitmaps.Stored bitmap) {
        return (bitmap.state().bitCount() + 7) / 8;
    }

    /** Runs {@code reader} over this instance's stores, between two checks that the same partitions are queryable. */
    <T> Covered<T> read(Function<StoredBitmaps, T> reader) {
        KafkaStreams s = running();
        Set<Integer> before = queryablePartitions(s);
        T value = reader.apply(stores(s));
        if (!queryablePartitions(s).equals(before)) {
            throw new Unavailable("the destination's tasks moved during the read (rebalance)");
        }
        return new Covered<>(value, before);
    }

    /**
     * The partitions of this instance's active loading tasks, each checked queryable now: a task that is
     * restoring or leaving makes the whole instance unavailable for reads, not partly empty.
     */
    private Set<Integer> queryablePartitions(KafkaStreams s) {
        Set<Integer> partitions = new TreeSet<>();
        for (ThreadMetadata thread : s.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                if (task.topicPartitions().stream().anyMatch(tp -> tp.topic().equals(chunksTopic))) {
                    partitions.add(task.taskId().partition());
                }
            }
        }
        for (int p : partitions) {
            try {
                for (String store : List.of(StoreNames.META, StoreNames.BITS)) {
                    s.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore())
                            .withPartition(p)).approximateNumEntries();
                }
            } catch (InvalidStateStoreException e) {
                throw new Unavailable("partition " + p + " of the destination's state is not queryable here now "
                        + "(restoring or moving): " + e.getMessage(), e);
            }
        }
        return partitions;
    }

    private KafkaStreams running() {
        KafkaStreams s = streams.get();
        if (s == null || s.state() != KafkaStreams.State.RUNNING) {
            throw new Unavailable("the destination is " + (s == null ? "starting" : s.state())
                    + "; its state cannot be queried now");
        }
        return s;
    }

    private static StoredBitmaps stores(KafkaStreams s) {
        try {
            return StoredBitmaps.of(s);
        } catch (InvalidStateStoreException e) {
            throw new Unavailable("the destination's state is moving (rebalance): " + e.getMessage(), e);
        }
    }
}
