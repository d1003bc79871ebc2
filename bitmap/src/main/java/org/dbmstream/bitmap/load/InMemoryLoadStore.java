package org.dbmstream.bitmap.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A {@link LoadStore} in memory: for a single process (tests, tools), not for the topology. */
public final class InMemoryLoadStore implements LoadStore {
    private final Map<BitmapKey, BitmapState> bitmaps = new HashMap<>();
    private final Map<BitmapKey, TreeMap<Long, byte[]>> chunks = new HashMap<>();
    private final Map<String, LoadError> stopped = new HashMap<>();
    private final Map<List<String>, String> completed = new HashMap<>();
    private final java.util.Set<String> switched = new java.util.HashSet<>();
    private final java.util.Set<BitmapKey> pending = new java.util.LinkedHashSet<>();

    @Override
    public void putUpdatePending(BitmapKey key) {
        pending.add(key);
    }

    @Override
    public List<BitmapKey> updatesPending() {
        return List.copyOf(pending);
    }

    @Override
    public void deleteUpdatePending(BitmapKey key) {
        pending.remove(key);
    }

    private final Map<BitmapKey, TreeMap<Long, Long>> touched = new HashMap<>();
    private final java.util.Set<BitmapKey> refusedKeys = new java.util.HashSet<>();

    @Override
    public List<BitmapKey> keysNamed(String target, String node, String bitmap) {
        List<BitmapKey> keys = new ArrayList<>();
        bitmaps.forEach((key, state) -> {
            BitmapNames n = state.names();
            if (n.target().equals(target) && n.node().equals(node) && n.bitmap().equals(bitmap)
                    && (state.replica().expected() == null || !state.replica().loadingDelta())) {
                keys.add(key);
            }
        });
        return keys;
    }

    @Override
    public void freeName(BitmapNames n) {
        completed.remove(List.of(n.target(), n.node(), n.bitmap()), n.migration());
    }

    @Override
    public void putTouched(BitmapKey key, long firstByte, long endByte) {
        touched.computeIfAbsent(key, k -> new TreeMap<>()).merge(firstByte, endByte, Math::max);
    }

    @Override
    public void forEachTouched(BitmapKey key, RangeVisitor visitor) {
        TreeMap<Long, Long> ranges = touched.get(key);
        if (ranges != null) {
            ranges.forEach(visitor::visit);
        }
    }

    @Override
    public void deleteTouched(BitmapKey key) {
        touched.remove(key);
    }

    @Override
    public boolean refused(BitmapKey key) {
        return refusedKeys.contains(key);
    }

    @Override
    public void putRefused(BitmapKey key) {
        refusedKeys.add(key);
    }

    @Override
    public List<BitmapKey> bitmapsOn(String target, String node) {
        List<BitmapKey> keys = new ArrayList<>();
        bitmaps.forEach((key, state) -> {
            if (state.names().target().equals(target) && state.names().node().equals(node)) {
                keys.add(key);
            }
        });
        return keys;
    }

    @Override
    public boolean switchedOver(String migration) {
        return switched.contains(migration);
    }

    @Override
    public void putSwitchedOver(String migration) {
        switched.add(migration);
    }

    @Override
    public Optional<BitmapState> bitmap(BitmapKey key) {
        return Optional.ofNullable(bitmaps.get(key));
    }

    @Override
    public void putBitmap(BitmapKey key, BitmapState state) {
        bitmaps.put(key, state);
    }

    @Override
    public void deleteBitmap(BitmapKey key) {
        bitmaps.remove(key);
        chunks.remove(key);
    }

    @Override
    public List<BitmapKey> bitmapsOf(String migration) {
        List<BitmapKey> keys = new ArrayList<>();
        for (BitmapKey key : bitmaps.keySet()) {
            if (key.migration().equals(migration)) {
                keys.add(key);
            }
        }
        return keys;
    }

    @Override
    public byte[] chunk(BitmapKey key, long index) {
        TreeMap<Long, byte[]> slots = chunks.get(key);
        return slots == null ? null : slots.get(index);
    }

    @Override
    public void putChunk(BitmapKey key, long index, byte[] bytes) {
        chunks.computeIfAbsent(key, k -> new TreeMap<>()).put(index, bytes.clone());
    }

    @Override
    public void deleteChunk(BitmapKey key, long index) {
        TreeMap<Long, byte[]> slots = chunks.get(key);
        if (slots != null) {
            slots.remove(index);
        }
    }

    @Override
    public void forEachChunk(BitmapKey key, ChunkVisitor visitor) {
        TreeMap<Long, byte[]> slots = chunks.get(key);
        if (slots != null) {
            slots.forEach(visitor::visit);
        }
    }

    /** Number of chunks stored for the bitmap (all-zero chunks are not). */
    public int storedChunks(BitmapKey key) {
        TreeMap<Long, byte[]> slots = chunks.get(key);
        return slots == null ? 0 : slots.size();
    }

    @Override
    public Optional<LoadError> stopReason(String migration) {
        return Optional.ofNullable(stopped.get(migration));
    }

    @Override
    public void putStopReason(String migration, LoadError reason) {
        stopped.put(migration, reason);
    }

    @Override
    public Optional<String> completedBy(String target, String node, String bitmap) {
        return Optional.ofNullable(completed.get(List.of(target, node, bitmap)));
    }

    @Override
    public void putCompleted(BitmapNames names) {
        completed.put(List.of(names.target(), names.node(), names.bitmap()), names.migration());
    }
}
