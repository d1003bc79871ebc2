package org.dbmstream.bench;

import org.dbmstream.bitmap.Granularity;

/**
 * A bitmap whose bits are computed from their position, so a benchmark can publish a bitmap of any
 * size without holding it in memory (the heap then measures the consumer, not the generator). Every
 * fourth 1 KiB chunk is all zero (sent as ZEROES, as QEMU does); the others have about one bit in
 * eight set, in a pattern that differs per chunk.
 */
final class SyntheticBitmap extends PositionalBitmap {

    private static final long BITS_PER_CHUNK = 8L * 1024;

    private final long seed;

    SyntheticBitmap(long diskSize, Granularity granularity, long seed) {
        super(diskSize, granularity);
        this.seed = seed;
    }

    @Override
    long wordAt(long firstBitOfWord) {
        long chunk = firstBitOfWord / BITS_PER_CHUNK;
        if (chunk % 4 == 3) {
            return 0;
        }
        long x = mix(seed ^ firstBitOfWord);
        return x & mix(x) & mix(x + 1); // about 1/8 of the bits set
    }
}
