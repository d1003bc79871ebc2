package org.dbmstream.bitmap.load;

import java.util.Arrays;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.Granularity;

/**
 * A delta's bits applied to its base in place (DESIGN.md section 12): the staged bitmap holds what the
 * delta's BITS wrote, and the touched byte ranges say where; everywhere else the base stays. First
 * {@link #digest} computes QEMU's sha256/count of the result without writing anything (one streaming pass
 * over the base's stored slots, one slot in memory); only if that is the announced version does
 * {@link #apply} rewrite the touched slots of the base, so writes are proportional to the change.
 */
final class DeltaMerge {
    private static final int SLOT = ChunkSlots.SLOT_BYTES;

    private final LoadStore store;
    private final BitmapKey base;
    private final BitmapKey staged;
    private final long total;
    /** Disjoint touched ranges, ascending: [starts[i], ends[i]) in serialized bytes. */
    private long[] starts = new long[16];
    private long[] ends = new long[16];
    private int ranges;

    /** The delta staged under {@code staged} over the base stored under {@code base}, of {@code bitCount} bits. */
    DeltaMerge(LoadStore store, BitmapKey base, BitmapKey staged, long bitCount) {
        this.store = store;
        this.base = base;
        this.staged = staged;
        this.total = ChunkSlots.serializedBytes(bitCount);
        store.forEachTouched(staged, this::addRange);
    }

    private void addRange(long from, long to) {
        long end = Math.min(to, total);
        if (from >= end) {
            return;
        }
        if (ranges > 0 && from <= ends[ranges - 1]) {
            ends[ranges - 1] = Math.max(ends[ranges - 1], end);
            return;
        }
        if (ranges == starts.length) {
            starts = Arrays.copyOf(starts, ranges * 2);
            ends = Arrays.copyOf(ends, ranges * 2);
        }
        starts[ranges] = from;
        ends[ranges] = end;
        ranges++;
    }

    /** QEMU's sha256 and count of the base with the delta applied; nothing is written. */
    BitmapDigest.Result digest(Granularity granularity) {
        BitmapDigest digest = new BitmapDigest(granularity);
        long[] next = {0};
        SlotCursor touched = new SlotCursor();
        store.forEachChunk(base, (slot, bytes) -> {
            if (slot * SLOT >= total) {
                return;
            }
            while (touched.peek() >= 0 && touched.peek() < slot) {
                feed(digest, next, touched.next(), null);
            }
            if (touched.peek() == slot) {
                touched.next();
            }
            feed(digest, next, slot, bytes);
        });
        while (touched.peek() >= 0) {
            feed(digest, next, touched.next(), null);
        }
        digest.updateZeros(total - next[0]);
        return digest.finish();
    }

    private void feed(BitmapDigest digest, long[] next, long slot, byte[] baseBytes) {
        long pos = slot * SLOT;
        byte[] merged = merged(slot, baseBytes);
        digest.updateZeros(pos - next[0]);
        digest.update(merged, 0, merged.length);
        next[0] = pos + merged.length;
    }

    /** Rewrites the touched slots of the base with the merged bits; returns how many slots it wrote. */
    long apply() {
        long written = 0;
        SlotCursor touched = new SlotCursor();
        while (touched.peek() >= 0) {
            long slot = touched.next();
            byte[] merged = merged(slot, store.chunk(base, slot));
            if (isZero(merged)) {
                store.deleteChunk(base, slot);
            } else {
                store.putChunk(base, slot, merged);
            }
            written++;
        }
        return written;
    }

    /** Slot {@code slot} of the result: the base's bytes (null: zeros) with the touched parts from the staging. */
    private byte[] merged(long slot, byte[] baseBytes) {
        long slotStart = slot * SLOT;
        int length = (int) Math.min(SLOT, total - slotStart);
        byte[] out = new byte[length];
        if (baseBytes != null) {
            System.arraycopy(baseBytes, 0, out, 0, Math.min(length, baseBytes.length));
        }
        byte[] delta = null;
        boolean deltaRead = false;
        for (int i = firstRangeReaching(slotStart); i < ranges && starts[i] < slotStart + length; i++) {
            int from = (int) (Math.max(starts[i], slotStart) - slotStart);
            int to = (int) (Math.min(ends[i], slotStart + length) - slotStart);
            if (!deltaRead) {
                delta = store.chunk(staged, slot);
                deltaRead = true;
            }
            for (int at = from; at < to; at++) {
                out[at] = delta != null && at < delta.length ? delta[at] : 0;
            }
        }
        return out;
    }

    /** Index of the first range that ends after {@code position} (binary search). */
    private int firstRangeReaching(long position) {
        int lo = 0;
        int hi = ranges;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= position) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The slots the touched ranges reach, ascending, each once. */
    private final class SlotCursor {
        private int range;
        private long nextSlot = -1;

        SlotCursor() {
            advance(-1);
        }

        long peek() {
            return nextSlot;
        }

        long next() {
            long s = nextSlot;
            advance(s);
            return s;
        }

        private void advance(long after) {
            while (range < ranges) {
                long first = Math.max(starts[range] / SLOT, after + 1);
                long last = (ends[range] - 1) / SLOT;
                if (first <= last) {
                    nextSlot = first;
                    return;
                }
                range++;
            }
            nextSlot = -1;
        }
    }
}
