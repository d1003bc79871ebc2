package org.dbmstream.topology.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dbmstream.bitmap.load.BitmapKey;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.bitmap.load.ChunkSlots;
import org.dbmstream.bitmap.load.LoadError;
import org.dbmstream.bitmap.load.LoadStore;
import org.dbmstream.topology.codec.StateCodec;
import org.dbmstream.topology.codec.StoreKeys;

/**
 * The load side's {@link LoadStore} on Kafka Streams key-value stores (RocksDB): bits in 64 KiB segments
 * in their own store ({@link SegmentedBits}; the slots of this interface are slices of them); bitmap metadata, stop reasons and completed names each in their own {@link Keyspace} of the
 * metadata store. A bitmap's segments are found by prefix scan
 * of its key, in index order; nothing reads a whole bitmap into memory.
 *
 * <p>Every BITS chunk reads its bitmap's metadata and its migration's stop reason (almost always: none).
 * Both are kept decoded in small write-through maps, so a chunk costs no RocksDB read and no decoding.
 * The maps are only as good as the stores below them: create a new instance whenever the task
 * (re)initializes, as the stores may have been rolled back or restored meanwhile. Every write still
 * goes to the store at once.
 */
public final class KeyValueLoadStore implements LoadStore {
    private static final int CACHED = 1024;
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] LAYOUT_KEY = "bits".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /** The bits layout this version writes: {@link SegmentedBits}. */
    private static final byte SEGMENTS_LAYOUT = 2;

    private final Keyspace bitmaps;
    private final SegmentedBits bits;
    private final KeyValueStore<Bytes, byte[]> bitsStore;
    private final Keyspace stops;
    private final Keyspace names;
    private final Keyspace index;
    private final LongSupplier clock;
    private final Map<BitmapKey, Optional<BitmapState>> states = lru();
    private final Map<BitmapKey, byte[]> bitmapKeys = lru();
    private final Map<String, Optional<LoadError>> stopReasons = lru();
    private final Map<BitmapKey, EncodedNames> encodedNames = lru();
    /** Target and node to the bitmaps on it: every destination write asks, every partition, so not RocksDB. */
    private final Map<List<String>, List<BitmapKey>> onNodeCache = lru();

    private final Keyspace onNode;
    private final Keyspace switched;
    private Keyspace touched;
    private Keyspace refusedKeys;
    /** Bitmaps whose count and sha256 are due (kept in the store: a restarted task still owes them). */
    private Keyspace pending;
    /** Without a keyspace for them (stores built for one test), the due updates are kept here. */
    private final java.util.Set<BitmapKey> pendingInMemory = new java.util.LinkedHashSet<>();

    public KeyValueLoadStore(Keyspace bitmaps, KeyValueStore<Bytes, byte[]> bits, Keyspace stops, Keyspace names) {
        this(bitmaps, bits, stops, names, null, null, null);
    }

    /**
     * @param index    destination name to bitmap key, for queries ({@link StoredBitmaps}); null: none kept
     * @param onNode   postcopy: bitmaps by target and node (where a write lands); null: writes find nothing
     * @param switched postcopy: the migrations switched over here
     */
    public KeyValueLoadStore(Keyspace bitmaps, KeyValueStore<Bytes, byte[]> bits, Keyspace stops, Keyspace names,
            Keyspace index, Keyspace onNode, Keyspace switched) {
        this(bitmaps, bits, stops, names, index, onNode, switched, System::currentTimeMillis);
    }

    /** @param clock the wall clock (epoch ms) whose time each written bitmap state carries as its last update */
    public KeyValueLoadStore(Keyspace bitmaps, KeyValueStore<Bytes, byte[]> bits, Keyspace stops, Keyspace names,
            Keyspace index, Keyspace onNode, Keyspace switched, LongSupplier clock) {
        this.clock = clock;
        this.bitmaps = bitmaps;
        this.bits = new SegmentedBits(bits);
        this.bitsStore = bits;
        this.stops = stops;
        this.names = names;
        this.index = index;
        this.onNode = onNode;
        this.switched = switched;
    }

    /**
     * Where loading deltas record the byte ranges their BITS overwrote ({@link StoreNames#TOUCHED}) and which
     * versioned bitmaps were refused ({@link StoreNames#REFUSED}); without them, deltas cannot load here.
     */
    public KeyValueLoadStore withVersions(Keyspace touchedRanges, Keyspace refused) {
        this.touched = touchedRanges;
        this.refusedKeys = refused;
        return this;
    }

    /** Keeps the bitmaps whose count and sha256 are due in {@code keyspace}. */
    public KeyValueLoadStore withPendingUpdates(Keyspace keyspace) {
        this.pending = keyspace;
        return this;
    }

    @Override
    public void putTouched(BitmapKey key, long firstByte, long endByte) {
        Bytes k = touchedKey(key, firstByte);
        byte[] old = versions(touched).get(k);
        long end = old == null ? endByte : Math.max(endByte, java.nio.ByteBuffer.wrap(old).getLong());
        touched.put(k, java.nio.ByteBuffer.allocate(Long.BYTES).putLong(end).array());
    }

    @Override
    public void forEachTouched(BitmapKey key, RangeVisitor visitor) {
        byte[] prefix = bitmapKeyBytes(key);
        try (KeyValueIterator<Bytes, byte[]> it = versions(touched).prefixScan(Bytes.wrap(prefix))) {
            while (it.hasNext()) {
                var kv = it.next();
                byte[] k = kv.key.get();
                if (k.length == prefix.length + Long.BYTES) {
                    visitor.visit(java.nio.ByteBuffer.wrap(k, prefix.length, Long.BYTES).getLong(),
                            java.nio.ByteBuffer.wrap(kv.value).getLong());
                }
            }
        }
    }

    @Override
    public void putUpdatePending(BitmapKey key) {
        if (pending == null) {
            pendingInMemory.add(key);
        } else {
            pending.put(StoreKeys.bitmap(key), EMPTY);
        }
    }

    @Override
    public void deleteTouched(BitmapKey key) {
        if (touched == null) {
            return;
        }
        byte[] prefix = bitmapKeyBytes(key);
        List<Bytes> doomed = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = touched.prefixScan(Bytes.wrap(prefix))) {
            it.forEachRemaining(kv -> {
                if (kv.key.get().length == prefix.length + Long.BYTES) {
                    doomed.add(kv.key);
                }
            });
        }
        doomed.forEach(touched::delete);
    }

    @Override
    public boolean refused(BitmapKey key) {
        return refusedKeys != null && refusedKeys.get(bitmapKey(key)) != null;
    }

    @Override
    public void putRefused(BitmapKey key) {
        versions(refusedKeys).put(bitmapKey(key), EMPTY);
    }

    private Bytes touchedKey(BitmapKey key, long firstByte) {
        byte[] prefix = bitmapKeyBytes(key);
        return Bytes.wrap(java.nio.ByteBuffer.allocate(prefix.length + Long.BYTES).put(prefix).putLong(firstByte)
                .array());
    }

    private static Keyspace versions(Keyspace k) {
        if (k == null) {
            throw new IllegalStateException("this store keeps no versions (withVersions was not called)");
        }
        return k;
    }

    @Override
    public List<BitmapKey> updatesPending() {
        if (pending == null) {
            return List.copyOf(pendingInMemory);
        }
        List<BitmapKey> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = pending.prefixScan(Bytes.wrap(new byte[0]))) {
            it.forEachRemaining(kv -> keys.add(StoreKeys.bitmapKey(kv.key)));
        }
        return keys;
    }

    @Override
    public void deleteUpdatePending(BitmapKey key) {
        if (pending == null) {
            pendingInMemory.remove(key);
        } else {
            pending.delete(StoreKeys.bitmap(key));
        }
    }

    @Override
    public Optional<BitmapState> bitmap(BitmapKey key) {
        Optional<BitmapState> cached = states.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] v = bitmaps.get(bitmapKey(key));
        Optional<BitmapState> state = v == null ? Optional.empty() : Optional.of(StateCodec.bitmapState(v));
        states.put(key, state);
        return state;
    }

    @Override
    public void putBitmap(BitmapKey key, BitmapState state) {
        // a loading delta is staging, not a bitmap of its name: neither queried nor written to
        boolean staging = state.replica().loadingDelta();
        if (onNode != null && !staging && bitmap(key).isEmpty()) {
            onNode.put(StoreKeys.onNode(state.names().target(), state.names().node(), key), EMPTY);
            onNodeCache.remove(List.of(state.names().target(), state.names().node()));
        }
        bitmaps.put(bitmapKey(key), StateCodec.bitmapState(state, clock.getAsLong(), encodedNames(key, state.names())));
        states.put(key, Optional.of(state));
        if (index != null && !staging && state.chunks() == 0) {
            // written at START (the name never changes afterwards), in the same store and transaction; with
            // the completed bitmap this one replaces (re-replication), so readers can tell the newer one
            BitmapNames n = state.names();
            String replaces = completedBy(n.target(), n.node(), n.bitmap()).filter(m -> !m.equals(n.migration()))
                    .orElse("");
            index.put(StoreKeys.indexEntry(n, bitmapKey(key).get()), StoreKeys.indexValue(bitmapKey(key).get(), replaces));
        }
    }

    @Override
    public void deleteBitmap(BitmapKey key) {
        Optional<BitmapState> before = bitmap(key);
        if (index != null && before.isPresent()) {
            index.delete(StoreKeys.indexEntry(before.get().names(), bitmapKey(key).get()));
        }
        if (onNode != null && before.isPresent()) {
            onNode.delete(StoreKeys.onNode(before.get().names().target(), before.get().names().node(), key));
            onNodeCache.remove(List.of(before.get().names().target(), before.get().names().node()));
        }
        bitmaps.delete(bitmapKey(key));
        states.put(key, Optional.empty());
        bits.deleteAll(bitmapKey(key).get());
        if (before.isPresent() && before.get().replica().loadingDelta()) {
            bits.deleteStaged(bitmapKey(key).get());
        }
    }

    /** Whether {@code key} is a loading delta, whose bits are staged slot by slot. */
    private boolean staged(BitmapKey key) {
        Optional<BitmapState> s = bitmap(key);
        return s.isPresent() && s.get().replica().loadingDelta();
    }

    @Override
    public List<BitmapKey> bitmapsOf(String migration) {
        List<BitmapKey> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = bitmaps.prefixScan(StoreKeys.migration(migration))) {
            while (it.hasNext()) {
                BitmapKey key = StoreKeys.bitmapKey(it.next().key);
                if (key.migration().equals(migration)) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    @Override
    public List<BitmapKey> bitmapsOn(String target, String node) {
        if (onNode == null) {
            return new ArrayList<>();
        }
        List<String> where = List.of(target, node);
        List<BitmapKey> cached = onNodeCache.get(where);
        if (cached == null) {
            cached = List.copyOf(scanOnNode(target, node));
            onNodeCache.put(where, cached);
        }
        return new ArrayList<>(cached);
    }

    private List<BitmapKey> scanOnNode(String target, String node) {
        List<BitmapKey> keys = new ArrayList<>();
        Bytes prefix = StoreKeys.node(target, node);
        try (KeyValueIterator<Bytes, byte[]> it = onNode.prefixScan(prefix)) {
            while (it.hasNext()) {
                Bytes k = it.next().key;
                // the prefix is length-prefixed strings: a match is this target and node, never a longer name
                keys.add(StoreKeys.bitmapOnNode(k));
            }
        }
        return keys;
    }

    @Override
    public boolean switchedOver(String migration) {
        return switched != null && switched.get(StoreKeys.migration(migration)) != null;
    }

    @Override
    public void putSwitchedOver(String migration) {
        if (switched != null) {
            switched.put(StoreKeys.migration(migration), EMPTY);
        }
    }

    @Override
    public byte[] chunk(BitmapKey key, long index) {
        return staged(key) ? bits.stagedSlot(bitmapKeyBytes(key), index) : bits.slot(bitmapKeyBytes(key), index);
    }

    @Override
    public void putChunk(BitmapKey key, long index, byte[] bytes) {
        if (staged(key)) {
            bits.putStagedSlot(bitmapKeyBytes(key), index, bytes);
            return;
        }
        bits.putSlot(bitmapKeyBytes(key), index, bytes, serializedBytes(key));
    }

    /** The bitmap's whole serialized size, -1 when its disk size is unknown. */
    private long serializedBytes(BitmapKey key) {
        BitmapState state = bitmap(key).orElse(null);
        return state == null || state.size() < 0 ? -1 : ChunkSlots.serializedBytes(state.bitCount());
    }

    @Override
    public void putChunks(BitmapKey key, long firstIndex, byte[] src, int offset, int length) {
        if (staged(key)) {
            // a delta's chunks are staged slot by slot (its changes are scattered; see putStagedSlot)
            LoadStore.super.putChunks(key, firstIndex, src, offset, length);
            return;
        }
        bits.putRange(bitmapKeyBytes(key), firstIndex, src, offset, length, serializedBytes(key));
    }

    @Override
    public void deleteChunk(BitmapKey key, long index) {
        if (staged(key)) {
            bits.putStagedSlot(bitmapKeyBytes(key), index, new byte[0]);
            return;
        }
        bits.clearSlot(bitmapKeyBytes(key), index);
    }

    @Override
    public void forEachChunk(BitmapKey key, ChunkVisitor visitor) {
        SegmentedBits.forEachSlot(bitsStore, bitmapKeyBytes(key), visitor::visit);
    }

    /**
     * Converts bits stored by earlier versions (one entry per slot) into segments, once per store: a
     * marker in {@code layout} says it is done. Call before the store is used, on the stream thread.
     */
    public long upgradeBitsLayout(Keyspace layout) {
        Bytes marker = Bytes.wrap(LAYOUT_KEY);
        if (layout.get(marker) != null) {
            return 0;
        }
        long converted = bits.upgradeLegacySlots(StoreKeys::legacySlotBitmapKeyLength);
        layout.put(marker, new byte[] {SEGMENTS_LAYOUT});
        return converted;
    }

    @Override
    public Optional<LoadError> stopReason(String migration) {
        Optional<LoadError> cached = stopReasons.get(migration);
        if (cached != null) {
            return cached;
        }
        byte[] v = stops.get(StoreKeys.migration(migration));
        Optional<LoadError> reason = v == null ? Optional.empty() : Optional.of(StateCodec.loadError(v));
        stopReasons.put(migration, reason);
        return reason;
    }

    @Override
    public void putStopReason(String migration, LoadError reason) {
        stops.put(StoreKeys.migration(migration), StateCodec.loadError(reason));
        stopReasons.put(migration, Optional.of(reason));
    }

    @Override
    public Optional<String> completedBy(String target, String node, String bitmap) {
        byte[] v = names.get(StoreKeys.name(target, node, bitmap));
        return v == null ? Optional.empty() : Optional.of(new String(v, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The bitmap's names as its stored state lays them out, encoded once per bitmap rather than once per chunk. */
    private byte[] encodedNames(BitmapKey key, BitmapNames names) {
        EncodedNames cached = encodedNames.get(key);
        if (cached == null || (cached.names() != names && !cached.names().equals(names))) {
            cached = new EncodedNames(names, StateCodec.encodedNames(names));
            encodedNames.put(key, cached);
        }
        return cached.bytes();
    }

    private record EncodedNames(BitmapNames names, byte[] bytes) {
    }

    /** The store key of a bitmap, encoded once per bitmap rather than once per chunk. */
    private Bytes bitmapKey(BitmapKey key) {
        return Bytes.wrap(bitmapKeys.computeIfAbsent(key, k -> StoreKeys.bitmap(k).get()));
    }

    private byte[] bitmapKeyBytes(BitmapKey key) {
        return bitmapKeys.computeIfAbsent(key, k -> StoreKeys.bitmap(k).get());
    }

    /** A map that keeps the {@value #CACHED} entries used last. */
    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > CACHED;
            }
        };
    }

    @Override
    public void putCompleted(BitmapNames n) {
        names.put(StoreKeys.name(n.target(), n.node(), n.bitmap()),
                n.migration().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Keys of the bitmaps (of any migration) named {@code bitmap} on {@code node} of {@code target} held here. */
    @Override
    public List<BitmapKey> keysNamed(String target, String node, String bitmap) {
        List<BitmapKey> keys = new ArrayList<>();
        if (index != null) {
            try (KeyValueIterator<Bytes, byte[]> it = index.prefixScan(StoreKeys.name(target, node, bitmap))) {
                it.forEachRemaining(kv -> keys.add(StoreKeys.bitmapKey(Bytes.wrap(kv.value))));
            }
        }
        return keys;
    }

    /** Frees a completed bitmap's name on its target, if {@code n}'s migration is the one that took it. */
    @Override
    public void freeName(BitmapNames n) {
        if (completedBy(n.target(), n.node(), n.bitmap()).filter(n.migration()::equals).isPresent()) {
            names.delete(StoreKeys.name(n.target(), n.node(), n.bitmap()));
        }
    }
}
