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

    /** Visits the stored chunks of the bitmap in ascending index order. */
    void forEachChunk(BitmapKey key, ChunkVisitor visitor);

    /** Why loading of {@code migration} stopped here, if it did. */
    Optional<LoadError> stopReason(String migration);

    void putStopReason(String migration, LoadError reason);

    /** The migration that completed bitmap {@code bitmap} on node {@code node} of {@code target}, if any. */
    Optional<String> completedBy(String target, String node, String bitmap);

    /** Records that the bitmap {@code names} describes completed on its target. */
    void putCompleted(BitmapNames names);

    /** Receives one stored chunk. */
    @FunctionalInterface
    interface ChunkVisitor {
        void visit(long index, byte[] bytes);
    }
}
