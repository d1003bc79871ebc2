package org.dbmstream.bitmap.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bit operations on a bitmap kept in {@link LoadStore} slots that only ever set bits: a destination write
 * sets a range, a reclaim merges a successor in by union. Like {@link ChunkSlots}, never more than one
 * slot is in memory at a time (besides the indices of a successor's stored slots).
 */
final class SlotBits {
    private static final long SLOT_BITS = ChunkSlots.SLOT_BYTES * 8L;

    private SlotBits() {
    }

    /**
     * Sets bits {@code [firstBit, firstBit + count)}, clipped to {@code bitCount} (-1: unknown, no clip).
     * Returns whether any bit changed.
     */
    static boolean setRange(LoadStore store, BitmapKey key, long bitCount, long firstBit, long count) {
        long end = bitCount >= 0 ? Math.min(firstBit + count, bitCount) : firstBit + count;
        boolean changed = false;
        for (long bit = firstBit; bit < end; ) {
            long slot = bit / SLOT_BITS;
            long slotFirstBit = slot * SLOT_BITS;
            long slotEnd = Math.min(end, slotFirstBit + SLOT_BITS);
            byte[] old = store.chunk(key, slot);
            int needed = (int) ((slotEnd - 1 - slotFirstBit) >>> 3) + 1;
            byte[] cur = old == null ? new byte[roundToWord(needed)]
                    : Arrays.copyOf(old, Math.max(old.length, roundToWord(needed)));
            for (long b = bit - slotFirstBit; b < slotEnd - slotFirstBit; b++) {
                cur[(int) (b >>> 3)] |= (byte) (1 << (b & 7));
            }
            if (old == null || differsInBits(old, cur)) {
                store.putChunk(key, slot, cur);
                changed = true;
            }
            bit = slotEnd;
        }
        return changed;
    }

    /**
     * Merges the bits stored under {@code from} into {@code into} (union) and releases {@code from}.
     * Returns whether {@code from} had any bit set.
     */
    static boolean union(LoadStore store, BitmapKey from, BitmapKey into) {
        List<Long> slots = new ArrayList<>();
        store.forEachChunk(from, (index, bytes) -> slots.add(index));
        for (long slot : slots) {
            byte[] add = store.chunk(from, slot);
            byte[] old = store.chunk(into, slot);
            byte[] cur = old == null ? add.clone() : Arrays.copyOf(old, Math.max(old.length, add.length));
            for (int i = 0; i < add.length; i++) {
                cur[i] |= add[i];
            }
            store.putChunk(into, slot, cur);
        }
        store.deleteBitmap(from);
        return !slots.isEmpty();
    }

    private static int roundToWord(int bytes) {
        return (bytes + 7) & ~7;
    }

    private static boolean differsInBits(byte[] old, byte[] cur) {
        for (int i = 0; i < cur.length; i++) {
            if ((i < old.length ? old[i] : 0) != cur[i]) {
                return true;
            }
        }
        return false;
    }
}
