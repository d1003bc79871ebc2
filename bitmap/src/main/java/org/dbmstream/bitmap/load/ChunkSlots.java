package org.dbmstream.bitmap.load;

import java.util.Arrays;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.QemuConstants;

/**
 * The serialized bitmap cut into slots of {@link #SLOT_BYTES} (QEMU's CHUNK_SIZE, 8192 bits): slot i
 * holds serialized bytes {@code [i * SLOT_BYTES, (i + 1) * SLOT_BYTES)}. A BITS range, whose first bit
 * is on a 64-bit word, touches whole words of a few slots; a slot only partly covered is read, patched
 * and written back, never more than one slot at a time. An all-zero slot is deleted, not stored.
 */
public final class ChunkSlots {
    /** Serialized bytes per stored slot. */
    public static final int SLOT_BYTES = QemuConstants.CHUNK_SIZE;

    private ChunkSlots() {
    }

    /** Bytes of the whole serialized bitmap of {@code bitCount} bits: whole 8-byte words. */
    public static long serializedBytes(long bitCount) {
        return DirtyBitmap.serializationSize(0, bitCount);
    }

    /**
     * Writes the serialization of bits {@code [firstBit, firstBit + bits)} from {@code src} (null: clear
     * them, a ZEROES chunk). {@code bitCount} is the bitmap's size in bits, -1 when unknown; bits past it
     * are dropped, as QEMU's hbitmap has none.
     */
    public static void write(LoadStore store, BitmapKey key, long bitCount, long firstBit, long bits, byte[] src) {
        write(store, null, key, bitCount, firstBit, bits, src);
    }

    /**
     * {@link #write(LoadStore, BitmapKey, long, long, long, byte[])}, telling {@code digests} (may be
     * null) each slot stored or cleared; slots it knows were never stored are neither read nor deleted.
     */
    public static void write(LoadStore store, StreamedDigests digests, BitmapKey key, long bitCount, long firstBit,
            long bits, byte[] src) {
        if (bits == 0) {
            return;
        }
        long first = firstBit >>> 3;
        long end = first + DirtyBitmap.serializationSize(firstBit, bits);
        long total = bitCount >= 0 ? serializedBytes(bitCount) : -1;
        long slot = first / SLOT_BYTES;
        if (src != null && bitCount >= 0 && first % SLOT_BYTES == 0) {
            // a wide chunk's whole slots, before any tail bits to mask: stored as one run, not slot by slot
            long wholeEnd = Math.min(end, (bitCount >>> 3) / SLOT_BYTES * SLOT_BYTES);
            int length = (int) Math.max(0, (wholeEnd - first) / SLOT_BYTES * SLOT_BYTES);
            if (length > SLOT_BYTES) {
                store.putChunks(key, slot, src, 0, length);
                if (digests != null) {
                    digests.wrote(key, slot, length / SLOT_BYTES, src, 0, length);
                }
                slot += length / SLOT_BYTES;
            }
        }
        for (; slot * SLOT_BYTES < end; slot++) {
            long slotStart = slot * SLOT_BYTES;
            long from = Math.max(first, slotStart);
            long to = Math.min(end, slotStart + SLOT_BYTES);
            int known = total >= 0 ? (int) Math.min(SLOT_BYTES, total - slotStart) : -1;
            byte[] cur;
            if (known >= 0 && from == slotStart && to - slotStart >= known) {
                // the range covers the whole slot: nothing of the old slot survives
                if (src == null) {
                    clear(store, digests, key, slot);
                    continue;
                }
                int off = (int) (from - first);
                cur = Arrays.copyOfRange(src, off, off + known);
                maskTail(cur, slotStart, bitCount);
                if (isZero(cur)) {
                    clear(store, digests, key, slot);
                } else {
                    put(store, digests, key, slot, cur);
                }
                continue;
            }
            byte[] old = digests != null && digests.neverStored(key, slot) ? null : store.chunk(key, slot);
            int len = Math.max(old == null ? 0 : old.length, (int) (to - slotStart));
            cur = old == null ? new byte[len] : Arrays.copyOf(old, len);
            int at = (int) (from - slotStart);
            int n = (int) (to - from);
            if (src == null) {
                Arrays.fill(cur, at, at + n, (byte) 0);
            } else {
                System.arraycopy(src, (int) (from - first), cur, at, n);
            }
            if (bitCount >= 0) {
                maskTail(cur, slotStart, bitCount);
            }
            if (isZero(cur)) {
                clear(store, digests, key, slot);
            } else {
                put(store, digests, key, slot, cur);
            }
        }
    }

    private static void put(LoadStore store, StreamedDigests digests, BitmapKey key, long slot, byte[] bytes) {
        store.putChunk(key, slot, bytes);
        if (digests != null) {
            digests.wrote(key, slot, bytes);
        }
    }

    /** An all-zero slot: deleted, unless it is known never to have been stored. */
    private static void clear(LoadStore store, StreamedDigests digests, BitmapKey key, long slot) {
        if (digests == null || !digests.neverStored(key, slot)) {
            store.deleteChunk(key, slot);
        }
        if (digests != null) {
            digests.wrote(key, slot, null);
        }
    }

    /**
     * QEMU's sha256 and count of the bitmap of {@code bitCount} bits, read slot by slot in order: missing
     * slots count as zeros, the tail is padded to whole words. Memory stays at one slot.
     */
    public static BitmapDigest.Result digest(LoadStore store, BitmapKey key, Granularity granularity,
            long bitCount) {
        long total = serializedBytes(bitCount);
        BitmapDigest digest = new BitmapDigest(granularity);
        long[] next = {0};
        store.forEachChunk(key, (index, bytes) -> {
            long pos = index * SLOT_BYTES;
            if (pos >= total) {
                return;
            }
            int n = (int) Math.min(bytes.length, total - pos);
            byte[] part = bytes;
            if (pos + n == total && (bitCount & 63) != 0) {
                part = Arrays.copyOf(bytes, n);
                maskTail(part, pos, bitCount);
            }
            digest.updateZeros(pos - next[0]);
            digest.update(part, 0, n);
            next[0] = pos + n;
        });
        digest.updateZeros(total - next[0]);
        return digest.finish();
    }

    /** Clears the bits of {@code slot} (starting at serialized byte {@code slotStart}) at or past {@code bitCount}. */
    private static void maskTail(byte[] slot, long slotStart, long bitCount) {
        long endByte = bitCount >>> 3;
        if (endByte - slotStart >= slot.length) {
            return;
        }
        int at = (int) Math.max(0, endByte - slotStart);
        int partialBits = (int) (bitCount & 7);
        if (partialBits != 0 && endByte >= slotStart) {
            slot[at] &= (byte) ((1 << partialBits) - 1);
            at++;
        }
        Arrays.fill(slot, at, slot.length, (byte) 0);
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
