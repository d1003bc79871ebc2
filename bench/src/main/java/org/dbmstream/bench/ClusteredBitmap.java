package org.dbmstream.bench;

import org.dbmstream.bitmap.Granularity;

/**
 * A bitmap shaped like a VM's dirty bitmap, computed from bit positions (nothing held in memory): writes
 * cluster, so dirty 1 KiB chunks come in runs of 8 and {@code dirtyPercent} of the chunks are dirty (the
 * rest are sent as ZEROES); inside a dirty chunk the set bits come in runs of 512 clusters, about half
 * of them set. With {@code dirtyPercent} 100 it is the dense worst case instead: every chunk dirty, every
 * word random (about half the bits set), so no chunk is ZEROES.
 */
final class ClusteredBitmap extends PositionalBitmap {
    private static final long BITS_PER_CHUNK = 8L * 1024;
    private static final long CHUNKS_PER_RUN = 8;
    private static final long BITS_PER_RUN = 512;

    private final long seed;
    private final int dirtyPercent;

    ClusteredBitmap(long diskSize, Granularity granularity, long seed, int dirtyPercent) {
        super(diskSize, granularity);
        this.seed = seed;
        this.dirtyPercent = dirtyPercent;
    }

    @Override
    long wordAt(long firstBitOfWord) {
        if (dirtyPercent >= 100) {
            return mix(seed ^ firstBitOfWord);
        }
        long chunkRun = firstBitOfWord / BITS_PER_CHUNK / CHUNKS_PER_RUN;
        if (Math.floorMod(mix(seed ^ (chunkRun * 31)), 100) >= dirtyPercent) {
            return 0;
        }
        return (mix(seed + firstBitOfWord / BITS_PER_RUN) & 1) == 0 ? -1L : 0;
    }
}
