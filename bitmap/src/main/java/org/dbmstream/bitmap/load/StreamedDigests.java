package org.dbmstream.bitmap.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.Granularity;

/**
 * QEMU's sha256 and count of bitmaps being loaded, computed as their slots are written rather than by
 * reading every stored slot back at COMPLETE. QEMU sends a bitmap's chunks once each, in order, so
 * each slot written can be hashed at once (gaps and ZEROES as zeros); the first write that goes back
 * to a slot already hashed (an overlapping or repeated range) drops the bitmap's running digest, and
 * completion falls back to {@link ChunkSlots#digest}, which reads the store. Either way the result is
 * the same; this only saves the read-back.
 *
 * <p>The same bookkeeping knows which slots have not been stored since START: a ZEROES chunk there has
 * nothing to delete. Only bitmaps of known size are tracked (their slots are stored tail-masked, exactly
 * as the digest needs them). The digests live in memory, one per bitmap, at most {@code capacity} of
 * them (the oldest is dropped, and falls back); they are only valid with the store they were fed
 * from, so create a new instance whenever that store may have been rolled back or restored.
 */
public final class StreamedDigests {
    private final Map<BitmapKey, Running> running;

    /** Tracks at most {@code capacity} bitmaps at once. */
    public StreamedDigests(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.running = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<BitmapKey, Running> eldest) {
                return size() > capacity;
            }
        };
    }

    /** A bitmap of {@code bitCount} bits was just created with no slot stored. */
    public void begin(BitmapKey key, Granularity granularity, long bitCount) {
        if (bitCount >= 0) {
            running.put(key, new Running(new BitmapDigest(granularity), ChunkSlots.serializedBytes(bitCount)));
        }
    }

    /** True when {@code slot} of {@code key} is known to hold nothing (not stored since START). */
    public boolean neverStored(BitmapKey key, long slot) {
        Running r = running.get(key);
        return r != null && slot >= r.nextSlot;
    }

    /**
     * Slot {@code slot} of {@code key} now holds {@code bytes} (tail-masked), or nothing (null: all
     * zero). A slot at or before one already hashed ends the bitmap's running digest.
     */
    public void wrote(BitmapKey key, long slot, byte[] bytes) {
        wrote(key, slot, 1, bytes, 0, bytes == null ? 0 : bytes.length);
    }

    /**
     * Slots {@code [slot, slot + slots)} of {@code key} now hold {@code length} bytes of {@code src} from
     * {@code offset} (tail-masked; null: all zero), written by one chunk. A slot at or before one already
     * hashed ends the bitmap's running digest.
     */
    public void wrote(BitmapKey key, long slot, long slots, byte[] src, int offset, int length) {
        Running r = running.get(key);
        if (r == null) {
            return;
        }
        if (slot < r.nextSlot) {
            running.remove(key);
            return;
        }
        if (src != null) {
            long at = slot * ChunkSlots.SLOT_BYTES;
            if (at + length > r.total) {
                running.remove(key);
                return;
            }
            r.digest.updateZeros(at - r.digest.bytes());
            r.digest.update(src, offset, length);
        }
        r.nextSlot = slot + slots;
    }

    /**
     * The finished digest of {@code key} when every slot was hashed in order, empty when it must be read
     * from the store. Either way the bitmap is no longer tracked.
     */
    public Optional<BitmapDigest.Result> finish(BitmapKey key) {
        Running r = running.remove(key);
        if (r == null) {
            return Optional.empty();
        }
        r.digest.updateZeros(r.total - r.digest.bytes());
        return Optional.of(r.digest.finish());
    }

    /** Stops tracking {@code key} (its bitmap was dropped). */
    public void forget(BitmapKey key) {
        running.remove(key);
    }

    /** Bitmaps tracked now. */
    public int tracked() {
        return running.size();
    }

    /** One bitmap's digest so far, the serialized size, and the first slot not yet passed. */
    private static final class Running {
        private final BitmapDigest digest;
        private final long total;
        private long nextSlot;

        Running(BitmapDigest digest, long total) {
            this.digest = digest;
            this.total = total;
        }
    }
}
