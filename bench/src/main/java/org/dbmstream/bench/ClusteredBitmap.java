package org.dbmstream.bench;

import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;

/**
 * A bitmap shaped like a VM's dirty bitmap, computed from bit positions (nothing held in memory): writes
 * cluster, so dirty 1 KiB chunks come in runs of 8 and {@code dirtyPercent} of the chunks are dirty (the
 * rest are sent as ZEROES); inside a dirty chunk the set bits come in runs of 512 clusters, about half
 * of them set. With {@code dirtyPercent} 100 it is the dense worst case instead: every chunk dirty, every
 * word random (about half the bits set), so no chunk is ZEROES.
 */
final class ClusteredBitmap implements SerializedBitmap {
    private static final long BITS_PER_CHUNK = 8L * 1024;
    private static final long CHUNKS_PER_RUN = 8;
    private static final long BITS_PER_RUN = 512;

    private final long diskSize;
    private final Granularity granularity;
    private final long seed;
    private final int dirtyPercent;

    ClusteredBitmap(long diskSize, Granularity granularity, long seed, int dirtyPercent) {
        this.diskSize = diskSize;
        this.granularity = granularity;
        this.seed = seed;
        this.dirtyPercent = dirtyPercent;
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
        int size = (int) DirtyBitmap.serializationSize(firstBit, bits);
        long total = bitCount();
        for (int i = 0; i < size; i += 8) {
            long wordBit = firstBit + 8L * i;
            long word = wordAt(wordBit);
            long valid = total - wordBit; // bits past the end read as zero
            if (valid < 64) {
                word = valid <= 0 ? 0 : word & ((1L << valid) - 1);
            }
            for (int b = 0; b < 8 && i + b < size; b++) {
                dst[offset + i + b] = (byte) (word >>> (8 * b));
            }
        }
    }

    private long wordAt(long firstBitOfWord) {
        if (dirtyPercent >= 100) {
            return mix(seed ^ firstBitOfWord);
        }
        long chunkRun = firstBitOfWord / BITS_PER_CHUNK / CHUNKS_PER_RUN;
        if (Math.floorMod(mix(seed ^ (chunkRun * 31)), 100) >= dirtyPercent) {
            return 0;
        }
        return (mix(seed + firstBitOfWord / BITS_PER_RUN) & 1) == 0 ? -1L : 0;
    }

    private static long mix(long z) {
        // SplitMix64 finalizer, as SyntheticBitmap: cheap, well spread, reproducible
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
