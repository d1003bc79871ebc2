package org.dbmstream.topology.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.dbmstream.bitmap.load.BitmapKey;
import org.dbmstream.bitmap.load.BitmapPhase;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.topology.codec.BinaryReader;
import org.dbmstream.topology.codec.StateCodec;
import org.dbmstream.topology.codec.StoreKeys;

/**
 * Read access to the bitmaps this instance's loading tasks hold (interactive queries over the
 * {@link StoreNames#META} and {@link StoreNames#BITS} stores of every local active task). Readers find
 * bitmaps by destination name through the {@link StoreNames#INDEX} keyspace and read bits only through
 * {@link #forEachRange}: this class is the one place outside the loading processor that knows how bits
 * are laid out in the store.
 */
public final class StoredBitmaps {
    private static final BytesSerializer PREFIX = new BytesSerializer();

    private final ReadOnlyKeyValueStore<Bytes, byte[]> meta;
    private final ReadOnlyKeyValueStore<Bytes, byte[]> bits;

    public StoredBitmaps(ReadOnlyKeyValueStore<Bytes, byte[]> meta, ReadOnlyKeyValueStore<Bytes, byte[]> bits) {
        this.meta = meta;
        this.bits = bits;
    }

    /**
     * The stores of every active task of {@code streams} on this instance. Throws Kafka Streams'
     * {@code InvalidStateStoreException} while they cannot be queried (starting, rebalancing).
     */
    public static StoredBitmaps of(KafkaStreams streams) {
        return new StoredBitmaps(
                streams.store(StoreQueryParameters.fromNameAndType(StoreNames.META, QueryableStoreTypes.keyValueStore())),
                streams.store(StoreQueryParameters.fromNameAndType(StoreNames.BITS, QueryableStoreTypes.keyValueStore())));
    }

    /**
     * One stored bitmap: its store key (migration, aliases), its metadata, the migration whose completed
     * bitmap of the same name it replaces (re-replication; null for none), and when the destination last
     * wrote its state (null for a state stored by a version that did not record it).
     */
    public record Stored(BitmapKey key, BitmapState state, String replaces, Instant updated) {

        /** Of two bitmaps of one name, the one queries answer with: a completed one, the replacing one. */
        public boolean preferredTo(Stored other) {
            boolean complete = state.phase() == BitmapPhase.COMPLETE;
            boolean otherComplete = other.state.phase() == BitmapPhase.COMPLETE;
            if (complete != otherComplete) {
                return complete;
            }
            return complete && other.key.migration().equals(replaces);
        }
    }

    /** Receives one stored range of serialized bits. */
    @FunctionalInterface
    public interface RangeVisitor {
        /** {@code bytes} are the bitmap's serialized bytes from bit {@code firstBit} (a multiple of 8) on. */
        void visit(long firstBit, byte[] bytes);
    }

    /**
     * How many bitmaps each target has here, read from the query index's keys alone (no bitmap's state is
     * read or decoded): the list of targets of a fleet, 100,000 bitmaps, in one scan.
     */
    public Map<String, Long> countsByTarget() {
        Map<String, Long> counts = new TreeMap<>();
        try (KeyValueIterator<Bytes, byte[]> it = meta.prefixScan(Bytes.wrap(new byte[] {StoreNames.INDEX}), PREFIX)) {
            while (it.hasNext()) {
                byte[] key = it.next().key.get();
                counts.merge(new BinaryReader(Arrays.copyOfRange(key, 1, key.length)).string(), 1L, Long::sum);
            }
        }
        return counts;
    }

    /** Every bitmap of {@code target} (null: of every target) held here, in name order. */
    public void forEachBitmap(String target, Consumer<Stored> visitor) {
        Bytes prefix = target == null ? Bytes.wrap(new byte[0]) : StoreKeys.migration(target);
        scanIndex(prefix, visitor);
    }

    /**
     * The bitmap {@code name} on {@code node} of {@code target} held here: a completed one before a loading
     * one, a replacing one before the one it replaces.
     */
    public Optional<Stored> find(String target, String node, String name) {
        Stored[] best = new Stored[1];
        scanIndex(StoreKeys.name(target, node, name), s -> {
            boolean exact = s.state().names().target().equals(target) && s.state().names().node().equals(node)
                    && s.state().names().bitmap().equals(name);
            if (exact && (best[0] == null || s.preferredTo(best[0]))) {
                best[0] = s;
            }
        });
        return Optional.ofNullable(best[0]);
    }

    /** The metadata of the bitmap stored under {@code key}, if it is still held here. */
    public Optional<BitmapState> state(BitmapKey key) {
        byte[] v = meta.get(tagged(StoreNames.BITMAP_STATES, StoreKeys.bitmap(key).get()));
        return v == null ? Optional.empty() : Optional.of(StateCodec.bitmapState(v));
    }

    /** Visits the stored (not all-zero) ranges of the bitmap in ascending bit order; absent ranges are zero. */
    public void forEachRange(BitmapKey key, RangeVisitor visitor) {
        SegmentedBits.forEachRange(bits, StoreKeys.bitmap(key).get(), visitor::visit);
    }

    private void scanIndex(Bytes namePrefix, Consumer<Stored> visitor) {
        try (KeyValueIterator<Bytes, byte[]> it =
                meta.prefixScan(tagged(StoreNames.INDEX, namePrefix.get()), PREFIX)) {
            while (it.hasNext()) {
                byte[] value = it.next().value;
                BitmapKey key = StoreKeys.bitmapKey(Bytes.wrap(value));
                String replaces = StoreKeys.indexReplaces(value);
                byte[] v = meta.get(tagged(StoreNames.BITMAP_STATES, StoreKeys.bitmap(key).get()));
                if (v != null) {
                    visitor.accept(new Stored(key, StateCodec.bitmapState(v), replaces, StateCodec.updated(v)));
                }
            }
        }
    }

    private static Bytes tagged(byte tag, byte[] key) {
        byte[] t = new byte[key.length + 1];
        t[0] = tag;
        System.arraycopy(key, 0, t, 1, key.length);
        return Bytes.wrap(t);
    }
}
