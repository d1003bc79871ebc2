package org.dbmstream.bench;

import java.util.Random;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;

/**
 * A VM's dirty bitmap for {@code bench sync}, computed rather than stored: its serialized form is cut into
 * 1 KiB slots (QEMU's chunk size), at first each all zero or (one in {@value #DIRTY_ONE_IN}) pseudo-random
 * bytes drawn from the seed and the slot. {@link #change} gives a share of the slots new pseudo-random bytes, as
 * writes between two rounds would, so exactly that share of chunks differs; nothing of the bitmap is held in
 * memory but how often each slot changed.
 */
final class FleetBitmap implements SerializedBitmap {
    static final int SLOT = 1024;
    static final int DIRTY_ONE_IN = 10;

    private final long diskSize;
    private final Granularity granularity;
    private final long seed;
    private final int[] versions;

    FleetBitmap(long diskSize, Granularity granularity, long seed) {
        this.diskSize = diskSize;
        this.granularity = granularity;
        this.seed = seed;
        long bytes = DirtyBitmap.serializationSize(0, granularity.bitsFor(diskSize));
        this.versions = new int[(int) ((bytes + SLOT - 1) / SLOT)];
    }

    /** Changes {@code share} (0..1) of the slots, chosen by {@code random}; returns how many. */
    int change(double share, Random random) {
        int n = Math.max(1, (int) Math.round(versions.length * share));
        for (int i = 0; i < n; i++) {
            versions[random.nextInt(versions.length)]++;
        }
        return n;
    }

    int slots() {
        return versions.length;
    }

    @Override
    public long diskSize() {
        return diskSize;
    }

    @Override
    public Granularity granularity() {
        return granularity;
    }

    @Override
    public void serializeInto(long firstBit, long bits, byte[] dst, int offset) {
        long from = firstBit >>> 3;
        int length = (int) DirtyBitmap.serializationSize(firstBit, bits);
        long bitCount = bitCount();
        byte[] slot = new byte[SLOT];
        long filled = -1;
        for (int i = 0; i < length; i++) {
            long pos = from + i;
            long s = pos / SLOT;
            if (s != filled) {
                fill(s, slot);
                filled = s;
            }
            dst[offset + i] = pos * 8 >= bitCount ? 0 : slot[(int) (pos % SLOT)];
        }
        // the bits past the end of the bitmap in its last byte are zero (QEMU's hbitmap has none)
        long endByte = bitCount >>> 3;
        int tailBits = (int) (bitCount & 7);
        if (tailBits != 0 && endByte >= from && endByte < from + length) {
            dst[offset + (int) (endByte - from)] &= (byte) ((1 << tailBits) - 1);
        }
    }

    private void fill(long s, byte[] slot) {
        Random r = new Random(seed * 1_000_003L + s * 31 + versions[(int) s]);
        if (versions[(int) s] == 0 && r.nextInt(DIRTY_ONE_IN) != 0) {
            java.util.Arrays.fill(slot, (byte) 0);
        } else {
            r.nextBytes(slot);
        }
    }
}
