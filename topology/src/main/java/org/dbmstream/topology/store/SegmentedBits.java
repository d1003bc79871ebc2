package org.dbmstream.topology.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.dbmstream.bitmap.load.ChunkSlots;

/**
 * How a bitmap's serialized bits lie in the {@link StoreNames#BITS} store: in <b>segments</b> of at most
 * {@link #SEGMENT_BYTES} (64 QEMU chunks of {@link ChunkSlots#SLOT_BYTES}), keyed by bitmap key, the tag
 * {@link #TAG} and the segment index (big-endian: byte order is bit order). A segment is as long as the
 * bitmap's serialized bytes it covers (shorter only at the bitmap's end); an all-zero segment is not
 * stored.
 *
 * <p>Why segments: the store sits behind a {@link WriteBackStore}, so the 64 chunks a loading bitmap
 * writes into one segment become one RocksDB write and one changelog record per commit instead of 64,
 * and the work per chunk is a copy into the waiting segment. The segment is patched in place: the buffer
 * hands back the array it holds, and whatever sends it on (RocksDB, the changelog producer) copies it
 * before returning. Every patch is followed by a put, so the buffer keeps the patched segment.
 *
 * <p>The readers ({@link #forEachSlot}, {@link #forEachRange}) take any read-only view of the store, so
 * interactive queries read bits back the same way the loading task does. Stores written before segments
 * (one entry per slot, key = bitmap key + slot index) are converted once by {@link #upgradeLegacySlots}.
 */
public final class SegmentedBits {
    /** Slots (QEMU chunks) per segment. */
    public static final int SEGMENT_SLOTS = 64;
    /** Serialized bitmap bytes per segment: 64 KiB. */
    public static final int SEGMENT_BYTES = SEGMENT_SLOTS * ChunkSlots.SLOT_BYTES;
    /** Key byte between the bitmap key and the segment index (legacy slot keys have none). */
    public static final byte TAG = 'S';
    private static final int SUFFIX = 1 + Long.BYTES;
    private static final byte[] ZEROS = new byte[SEGMENT_BYTES];
    private static final BytesSerializer PREFIX = new BytesSerializer();
    private static final int UPGRADE_BATCH = 4096;

    private final KeyValueStore<Bytes, byte[]> store;

    public SegmentedBits(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    /** Receives one stored, not all-zero slot. */
    @FunctionalInterface
    public interface SlotVisitor {
        void visit(long slot, byte[] bytes);
    }

    /** Receives one stored segment. */
    @FunctionalInterface
    public interface RangeVisitor {
        /** {@code bytes} are the bitmap's serialized bytes from bit {@code firstBit} (a multiple of 8) on. */
        void visit(long firstBit, byte[] bytes);
    }

    /** Key of segment {@code segment} of the bitmap whose key bytes are {@code bitmapKey}. */
    public static Bytes segmentKey(byte[] bitmapKey, long segment) {
        return Bytes.wrap(ByteBuffer.allocate(bitmapKey.length + SUFFIX).put(bitmapKey).put(TAG).putLong(segment)
                .array());
    }

    /** A copy of slot {@code slot}'s bytes, or null when none are stored or all are zero. */
    public byte[] slot(byte[] bitmapKey, long slot) {
        byte[] seg = store.get(segmentKey(bitmapKey, slot / SEGMENT_SLOTS));
        int at = offset(slot);
        if (seg == null || at >= seg.length) {
            return null;
        }
        int end = Math.min(seg.length, at + ChunkSlots.SLOT_BYTES);
        return isZero(seg, at, end) ? null : Arrays.copyOfRange(seg, at, end);
    }

    /**
     * Stores {@code bytes} as slot {@code slot} (the rest of the slot reads as zero). {@code serializedBytes}
     * is the bitmap's whole serialized size, -1 when unknown; it sizes a new segment.
     */
    public void putSlot(byte[] bitmapKey, long slot, byte[] bytes, long serializedBytes) {
        long segment = slot / SEGMENT_SLOTS;
        Bytes key = segmentKey(bitmapKey, segment);
        int at = offset(slot);
        int need = at + bytes.length;
        byte[] seg = store.get(key);
        if (seg == null || seg.length < need) {
            seg = grown(seg, need, segmentLength(segment, serializedBytes));
        }
        System.arraycopy(bytes, 0, seg, at, bytes.length);
        int slotEnd = Math.min(seg.length, at + ChunkSlots.SLOT_BYTES);
        if (need < slotEnd) {
            Arrays.fill(seg, need, slotEnd, (byte) 0);
        }
        store.put(key, seg);
    }

    /**
     * Stores {@code length} bytes of {@code src} from {@code offset} as the bitmap's serialized bytes from slot
     * {@code firstSlot} on (a BITS chunk wider than a slot): one read and one write per segment it touches,
     * not per slot. An all-zero part of a segment not stored leaves it absent; a segment left all zero is
     * deleted. {@code serializedBytes} sizes new segments as in {@link #putSlot}.
     */
    public void putRange(byte[] bitmapKey, long firstSlot, byte[] src, int offset, int length, long serializedBytes) {
        long firstByte = firstSlot * ChunkSlots.SLOT_BYTES;
        for (int done = 0; done < length; ) {
            long at = firstByte + done;
            long segment = at / SEGMENT_BYTES;
            int inSegment = (int) (at % SEGMENT_BYTES);
            int n = Math.min(length - done, SEGMENT_BYTES - inSegment);
            int from = offset + done;
            done += n;
            Bytes key = segmentKey(bitmapKey, segment);
            byte[] seg = store.get(key);
            boolean zero = isZero(src, from, from + n);
            if (seg == null && zero) {
                continue;
            }
            if (seg == null || seg.length < inSegment + n) {
                seg = grown(seg, inSegment + n, segmentLength(segment, serializedBytes));
            }
            System.arraycopy(src, from, seg, inSegment, n);
            if (zero && isZero(seg, 0, seg.length)) {
                store.delete(key);
            } else {
                store.put(key, seg);
            }
        }
    }

    /** Clears slot {@code slot}; a segment left all zero is deleted. */
    public void clearSlot(byte[] bitmapKey, long slot) {
        Bytes key = segmentKey(bitmapKey, slot / SEGMENT_SLOTS);
        byte[] seg = store.get(key);
        int at = offset(slot);
        if (seg == null || at >= seg.length) {
            return;
        }
        int end = Math.min(seg.length, at + ChunkSlots.SLOT_BYTES);
        if (isZero(seg, at, end)) {
            return;
        }
        Arrays.fill(seg, at, end, (byte) 0);
        if (isZero(seg, 0, seg.length)) {
            store.delete(key);
        } else {
            store.put(key, seg);
        }
    }

    /**
     * Key byte of a <b>staged</b> slot: a loading delta's BITS are kept slot by slot (1 KiB each), not in
     * segments, since a delta touches a few scattered slots and a segment per touched slot would write 64 times
     * the change to RocksDB and the changelog (DESIGN.md section 12).
     */
    public static final byte STAGED = 'D';

    private static Bytes stagedKey(byte[] bitmapKey, long slot) {
        return Bytes.wrap(ByteBuffer.allocate(bitmapKey.length + SUFFIX).put(bitmapKey).put(STAGED).putLong(slot)
                .array());
    }

    /** A staged slot's bytes, or null when none are staged (zero). */
    public byte[] stagedSlot(byte[] bitmapKey, long slot) {
        return store.get(stagedKey(bitmapKey, slot));
    }

    /** Stages {@code bytes} as slot {@code slot} (an all-zero slot is kept as absent). */
    public void putStagedSlot(byte[] bitmapKey, long slot, byte[] bytes) {
        if (isZero(bytes, 0, bytes.length)) {
            store.delete(stagedKey(bitmapKey, slot));
        } else {
            store.put(stagedKey(bitmapKey, slot), bytes.clone());
        }
    }

    /** Deletes every staged slot of the bitmap. */
    public void deleteStaged(byte[] bitmapKey) {
        byte[] prefix = ByteBuffer.allocate(bitmapKey.length + 1).put(bitmapKey).put(STAGED).array();
        List<Bytes> doomed = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(prefix), PREFIX)) {
            while (it.hasNext()) {
                Bytes k = it.next().key;
                if (k.get().length == bitmapKey.length + SUFFIX) {
                    doomed.add(k);
                }
            }
        }
        doomed.forEach(store::delete);
    }

    /** Deletes every segment (and any legacy slot) of the bitmap. */
    public void deleteAll(byte[] bitmapKey) {
        List<Bytes> doomed = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(bitmapKey), PREFIX)) {
            while (it.hasNext()) {
                Bytes k = it.next().key;
                if (isSegmentOf(k, bitmapKey) || k.get().length == bitmapKey.length + Long.BYTES) {
                    doomed.add(k);
                }
            }
        }
        doomed.forEach(store::delete);
    }

    /** Visits the stored, not all-zero slots of the bitmap in ascending order. */
    public static void forEachSlot(ReadOnlyKeyValueStore<Bytes, byte[]> store, byte[] bitmapKey, SlotVisitor visitor) {
        forEachRange(store, bitmapKey, (firstBit, seg) -> {
            long first = firstBit / 8 / ChunkSlots.SLOT_BYTES;
            for (int at = 0, i = 0; at < seg.length; at += ChunkSlots.SLOT_BYTES, i++) {
                int end = Math.min(seg.length, at + ChunkSlots.SLOT_BYTES);
                if (!isZero(seg, at, end)) {
                    visitor.visit(first + i, Arrays.copyOfRange(seg, at, end));
                }
            }
        });
    }

    /**
     * Visits the stored segments of the bitmap in ascending bit order; absent ranges are zero. The bytes
     * are the store's own: read them, never change them.
     */
    public static void forEachRange(ReadOnlyKeyValueStore<Bytes, byte[]> store, byte[] bitmapKey,
            RangeVisitor visitor) {
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(bitmapKey), PREFIX)) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                // a longer key would belong to another bitmap whose key merely starts with this one's bytes
                if (isSegmentOf(kv.key, bitmapKey)) {
                    long segment = ByteBuffer.wrap(kv.key.get(), bitmapKey.length + 1, Long.BYTES).getLong();
                    visitor.visit(segment * SEGMENT_BYTES * 8L, kv.value);
                }
            }
        }
    }

    /**
     * Converts slots stored one per entry (before segments: key = bitmap key + slot index, found by
     * {@code legacySlot}) into segments. Returns how many were converted; a store holding none is only
     * scanned. Runs in batches, so memory holds at most {@value #UPGRADE_BATCH} keys.
     */
    public long upgradeLegacySlots(LegacySlotParser legacySlot) {
        long converted = 0;
        Bytes from = null;
        while (true) {
            List<Bytes> batch = new ArrayList<>();
            try (KeyValueIterator<Bytes, byte[]> it = from == null ? store.all() : store.range(from, null)) {
                while (it.hasNext() && batch.size() < UPGRADE_BATCH) {
                    Bytes k = it.next().key;
                    if (legacySlot.bitmapKeyLength(k.get()) >= 0) {
                        batch.add(k);
                    }
                }
            }
            if (batch.isEmpty()) {
                return converted;
            }
            for (Bytes k : batch) {
                byte[] raw = k.get();
                byte[] bitmapKey = Arrays.copyOf(raw, legacySlot.bitmapKeyLength(raw));
                long slot = ByteBuffer.wrap(raw, bitmapKey.length, Long.BYTES).getLong();
                byte[] value = store.get(k);
                store.delete(k);
                if (value != null && !isZero(value, 0, value.length)) {
                    putSlot(bitmapKey, slot, value, -1);
                }
                converted++;
            }
            from = batch.get(batch.size() - 1);
        }
    }

    /** Tells a legacy slot key from a segment key. */
    @FunctionalInterface
    public interface LegacySlotParser {
        /** Length of the bitmap key at the start of {@code key} when it is a legacy slot key, else -1. */
        int bitmapKeyLength(byte[] key);
    }

    private static boolean isSegmentOf(Bytes key, byte[] bitmapKey) {
        byte[] k = key.get();
        return k.length == bitmapKey.length + SUFFIX && k[bitmapKey.length] == TAG;
    }

    private static int offset(long slot) {
        return (int) (slot % SEGMENT_SLOTS) * ChunkSlots.SLOT_BYTES;
    }

    /**
     * Length of segment {@code segment} of a bitmap of {@code serializedBytes} (-1: unknown, then 0 and
     * the segment grows as slots arrive).
     */
    private static int segmentLength(long segment, long serializedBytes) {
        if (serializedBytes < 0) {
            return 0;
        }
        return (int) Math.max(0, Math.min(SEGMENT_BYTES, serializedBytes - segment * SEGMENT_BYTES));
    }

    /** {@code seg} (or a new segment) at least {@code need} long: the known length, else doubling. */
    private static byte[] grown(byte[] seg, int need, int known) {
        int old = seg == null ? 0 : seg.length;
        int length = known >= need ? known : Math.min(SEGMENT_BYTES, Math.max(need, 2 * old));
        return seg == null ? new byte[length] : Arrays.copyOf(seg, length);
    }

    private static boolean isZero(byte[] bytes, int from, int to) {
        for (int at = from; at < to; at += SEGMENT_BYTES) {
            int end = Math.min(to, at + SEGMENT_BYTES);
            if (Arrays.mismatch(bytes, at, end, ZEROS, 0, end - at) >= 0) {
                return false;
            }
        }
        return true;
    }
}
