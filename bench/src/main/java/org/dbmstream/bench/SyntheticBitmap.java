package org.dbmstream.bench;

import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;

/**
 * A bitmap whose bits are computed from their position, so a benchmark can publish a bitmap of any
 * size without holding it in memory (the heap then measures the consumer, not the generator). Every
 * fourth 1 KiB chunk is all zero (sent as ZEROES, as QEMU does); the others have about one bit in
 * eight set, in a pattern that differs per chunk.
 */
final class SyntheticBitmap implements SerializedBitmap {

    private static final long BITS_PER_CHUNK = 8L * 1024;

    private final long diskSize;
    private final Granularity granularity;
    private final long seed;

    SyntheticBitmap(long diskSize, Granularity granularity, long seed) {
        this.diskSize = diskSize;
        this.granularity = granularity;
        this.seed = seed;
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
        long chunk = firstBitOfWord / BITS_PER_CHUNK;
        if (chunk % 4 == 3) {
            return 0;
        }
        long x = mix(seed ^ firstBitOfWord);
        return x & mix(x) & mix(x + 1); // about 1/8 of the bits set
    }

    private static long mix(long z) {
        // SplitMix64 finalizer: cheap, well spread, reproducible
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
