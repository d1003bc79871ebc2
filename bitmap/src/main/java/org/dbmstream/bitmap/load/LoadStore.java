package org.dbmstream.bitmap.load;

import java.util.List;
import java.util.Optional;

/**
 * Where the destination keeps bitmaps while and after they load: metadata per bitmap and the serialized
 * bits per chunk of {@link ChunkSlots#SLOT_BYTES} bytes, keyed by chunk index. All-zero chunks are not
 * stored (absent reads as zero). Nothing here reads or writes a whole bitmap at once, so a store can be
 * backed by a key-value store (the topology's RocksDB stores) as well as by memory.
 *
 * <p>It also keeps, per migration, why loading stopped here (cancel or fail), and which bitmap names are
 * taken on each target ("already exists" is judged per target).
 */
public interface LoadStore {

    Optional<BitmapState> bitmap(BitmapKey key);

    void putBitmap(BitmapKey key, BitmapState state);

    /** Releases a bitmap: its metadata and every stored chunk. */
    void deleteBitmap(BitmapKey key);

    /** Keys of the bitmaps of {@code migration} this store holds, loading or complete. */
    List<BitmapKey> bitmapsOf(String migration);

    /** Serialized bytes of chunk {@code index} of the bitmap, or null when none are stored (all zero). */
    byte[] chunk(BitmapKey key, long index);

    void putChunk(BitmapKey key, long index, byte[] bytes);

    void deleteChunk(BitmapKey key, long index);

    /**
     * Stores {@code length} bytes of {@code src} from {@code offset} (whole chunks, none tail-masked) as chunks
     * {@code firstIndex}, {@code firstIndex + 1}, ...: one BITS chunk wider than a slot in one call. All-zero
     * chunks among them are deleted. A store that can write a run of chunks at once overrides this.
     */
    default void putChunks(BitmapKey key, long firstIndex, byte[] src, int offset, int length) {
        for (int at = 0; at < length; at += ChunkSlots.SLOT_BYTES) {
            int from = offset + at;
            byte[] slot = java.util.Arrays.copyOfRange(src, from, from + Math.min(ChunkSlots.SLOT_BYTES, length - at));
            if (java.util.Arrays.equals(slot, new byte[slot.length])) {
                deleteChunk(key, firstIndex + at / ChunkSlots.SLOT_BYTES);
            } else {
                putChunk(key, firstIndex + at / ChunkSlots.SLOT_BYTES, slot);
            }
        }
    }

    /** Visits the stored chunks of the bitmap in ascending index order. */
    void forEachChunk(BitmapKey key, ChunkVisitor visitor);

    /** Why loading of {@code migration} stopped here, if it did. */
    Optional<LoadError> stopReason(String migration);

    void putStopReason(String migration, LoadError reason);

    /** The migration that completed bitmap {@code bitmap} on node {@code node} of {@code target}, if any. */
    Optional<String> completedBy(String target, String node, String bitmap);

    /** Records that the bitmap {@code names} describes completed on its target. */
    void putCompleted(BitmapNames names);

    /**
     * Sets bits {@code [firstBit, firstBit + count)} of the bitmap (a destination write), clipped to
     * {@code bitCount} (-1: unknown size, no clipping); bits are only ever set, never cleared. Returns
     * whether any bit changed. A store with another bits layout overrides this.
     */
    default boolean setBits(BitmapKey key, long bitCount, long firstBit, long count) {
        return SlotBits.setRange(this, key, bitCount, firstBit, count);
    }

    /**
     * Merges the bits of {@code from} into {@code into} by union and releases {@code from} (QEMU's
     * reclaim of a successor). Returns whether {@code from} had any bit set.
     */
    default boolean mergeBits(BitmapKey from, BitmapKey into) {
        return SlotBits.union(this, from, into);
    }

    /** Keys of the bitmaps this store holds on node {@code node} of {@code target}, loading or complete. */
    List<BitmapKey> bitmapsOn(String target, String node);

    /** Whether the destination VM of {@code migration} started (switchover applied here). */
    boolean switchedOver(String migration);

    void putSwitchedOver(String migration);

    /** Keys of the bitmaps (of any migration, loading or complete) named {@code bitmap} on {@code node} of {@code target}. */
    List<BitmapKey> keysNamed(String target, String node, String bitmap);

    /** Frees the name {@code n} describes on its target, if {@code n}'s migration is the one that took it. */
    void freeName(BitmapNames n);

    /**
     * The replica's current version of a name held here: the completed bitmap of the migration that holds
     * the name ({@link #completedBy}), if this store has it.
     */
    default Optional<BitmapState> current(String target, String node, String bitmap) {
        Optional<String> holder = completedBy(target, node, bitmap);
        if (holder.isEmpty()) {
            return Optional.empty();
        }
        for (BitmapKey key : keysNamed(target, node, bitmap)) {
            if (key.migration().equals(holder.get())) {
                Optional<BitmapState> state = bitmap(key);
                if (state.isPresent() && state.get().phase() == BitmapPhase.COMPLETE) {
                    return state;
                }
            }
        }
        return Optional.empty();
    }

    /** A loading delta's BITS overwrote the serialized bytes {@code [firstByte, endByte)} of the bitmap. */
    void putTouched(BitmapKey key, long firstByte, long endByte);

    /** Visits the ranges {@link #putTouched} recorded for the bitmap, by ascending first byte. */
    void forEachTouched(BitmapKey key, RangeVisitor visitor);

    void deleteTouched(BitmapKey key);

    /** Whether the versioned bitmap under {@code key} was refused (its later chunks are ignored). */
    boolean refused(BitmapKey key);

    void putRefused(BitmapKey key);

    /** Receives one recorded byte range. */
    @FunctionalInterface
    interface RangeVisitor {
        void visit(long firstByte, long endByte);
    }

    /**
     * Records that destination writes changed the completed bitmap {@code key}: its count and sha256 are
     * due at the next {@link BitmapLoader#flushUpdates} (kept with the bitmaps, so a restart still owes it).
     */
    void putUpdatePending(BitmapKey key);

    /** The bitmaps whose count and sha256 are due. */
    List<BitmapKey> updatesPending();

    void deleteUpdatePending(BitmapKey key);

    /** Receives one stored chunk. */
    @FunctionalInterface
    interface ChunkVisitor {
        void visit(long index, byte[] bytes);
    }
}
