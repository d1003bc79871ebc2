package org.dbmstream.topology.codec;

import java.nio.ByteBuffer;
import org.apache.kafka.common.utils.Bytes;
import org.dbmstream.bitmap.load.BitmapKey;

/**
 * Keys of the topology's state stores. Strings are length-prefixed, so the key of a migration is a byte
 * prefix of the keys of all its bitmaps, and a bitmap's key a prefix of its chunks' keys (chunk index
 * big-endian: ascending order of bytes is ascending index).
 */
public final class StoreKeys {
    private StoreKeys() {
    }

    /** Prefix of every key belonging to {@code migration}. */
    public static Bytes migration(String migration) {
        return Bytes.wrap(new BinaryWriter().string(migration).toByteArray());
    }

    public static Bytes bitmap(BitmapKey key) {
        return Bytes.wrap(bitmapBytes(key));
    }

    public static BitmapKey bitmapKey(Bytes bytes) {
        BinaryReader in = new BinaryReader(bytes.get());
        return new BitmapKey(in.string(), in.string(), in.string());
    }

    /** Key of chunk {@code index} of a bitmap. */
    public static Bytes chunk(BitmapKey key, long index) {
        byte[] prefix = bitmapBytes(key);
        return Bytes.wrap(ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(index).array());
    }

    /** Key of chunk {@code index} of the bitmap whose key bytes are {@code bitmapKey}. */
    public static Bytes chunk(byte[] bitmapKey, long index) {
        return Bytes.wrap(ByteBuffer.allocate(bitmapKey.length + 8).put(bitmapKey).putLong(index).array());
    }

    /** The chunk index of a chunk key. */
    public static long chunkIndex(Bytes chunkKey) {
        byte[] b = chunkKey.get();
        return ByteBuffer.wrap(b, b.length - 8, 8).getLong();
    }

    /** Key of a parked chunk: its migration, then its arrival position. */
    public static Bytes parked(String migration, long position) {
        byte[] prefix = migration(migration).get();
        return Bytes.wrap(ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(position).array());
    }

    /** Key of a bitmap name on a target (who completed it). */
    public static Bytes name(String target, String node, String bitmap) {
        return Bytes.wrap(new BinaryWriter().string(target).string(node).string(bitmap).toByteArray());
    }

    /**
     * Key of a bitmap's entry in the query index: its destination names (a prefix shared by every bitmap
     * of that name; the target's key alone is a prefix of all its bitmaps), then its store key.
     */
    public static Bytes indexEntry(org.dbmstream.bitmap.load.BitmapNames n, byte[] bitmapKey) {
        byte[] name = name(n.target(), n.node(), n.bitmap()).get();
        return Bytes.wrap(ByteBuffer.allocate(name.length + bitmapKey.length).put(name).put(bitmapKey).array());
    }

    /** Value of a query index entry: the bitmap's key, then the migration whose bitmap it replaces ("" none). */
    public static byte[] indexValue(byte[] bitmapKey, String replaces) {
        byte[] r = new BinaryWriter().string(replaces).toByteArray();
        return ByteBuffer.allocate(bitmapKey.length + r.length).put(bitmapKey).put(r).array();
    }

    /** The replaced migration of an index entry's value, null for none. */
    public static String indexReplaces(byte[] indexValue) {
        BinaryReader in = new BinaryReader(indexValue);
        in.string();
        in.string();
        in.string();
        String replaces = in.hasMore() ? in.string() : "";
        return replaces.isEmpty() ? null : replaces;
    }

    private static byte[] bitmapBytes(BitmapKey key) {
        return new BinaryWriter().string(key.migration()).string(key.nodeAlias()).string(key.bitmapAlias())
                .toByteArray();
    }

    /** Key of a bitmap under a node of a target: prefix {@link #node}. */
    public static Bytes onNode(String target, String node, BitmapKey key) {
        return Bytes.wrap(new BinaryWriter().string(target).string(node).string(key.migration())
                .string(key.nodeAlias()).string(key.bitmapAlias()).toByteArray());
    }

    /** Prefix of the keys of {@link #onNode}. */
    public static Bytes node(String target, String node) {
        return Bytes.wrap(new BinaryWriter().string(target).string(node).toByteArray());
    }

    /** The bitmap key of an {@link #onNode} key. */
    public static BitmapKey bitmapOnNode(Bytes bytes) {
        BinaryReader in = new BinaryReader(bytes.get());
        in.string();
        in.string();
        return new BitmapKey(in.string(), in.string(), in.string());
    }

    /** Key of a migration awaiting its switchover on a target: prefix {@link #migration} of the target. */
    public static Bytes awaiting(String target, String migration) {
        return Bytes.wrap(new BinaryWriter().string(target).string(migration).toByteArray());
    }

    /** The migration of an {@link #awaiting} key. */
    public static String awaitingMigration(Bytes bytes) {
        BinaryReader in = new BinaryReader(bytes.get());
        in.string();
        return in.string();
    }

    /**
     * Length of the bitmap key that starts {@code key} when it is the key of a slot stored one per entry
     * (the layout before segments: bitmap key + 8-byte slot index), else -1.
     */
    public static int legacySlotBitmapKeyLength(byte[] key) {
        try {
            BinaryReader in = new BinaryReader(key);
            int length = bitmapBytes(new BitmapKey(in.string(), in.string(), in.string())).length;
            return key.length - length == Long.BYTES ? length : -1;
        } catch (RuntimeException notABitmapKey) {
            return -1;
        }
    }
}
