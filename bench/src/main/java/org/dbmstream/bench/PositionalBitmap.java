package org.dbmstream.bench;

import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;

/**
 * A benchmark bitmap whose 64-bit words are computed from their position ({@link #wordAt}), so a bitmap of
 * any size is published without being held in memory (the heap then measures the consumer, not the
 * generator). Bits past the end read as zero.
 */
abstract class PositionalBitmap implements SerializedBitmap {
    private final long diskSize;
    private final Granularity granularity;

    PositionalBitmap(long diskSize, Granularity granularity) {
        this.diskSize = diskSize;
        this.granularity = granularity;
    }

    /** The word whose first bit is {@code firstBitOfWord} (a multiple of 64), LSB first. */
    abstract long wordAt(long firstBitOfWord);

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

    /** SplitMix64's finalizer: cheap, well spread, reproducible. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
