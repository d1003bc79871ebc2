package org.dbmstream.query;

/**
 * A bitmap summarized for a picture: a window {@code [start, end)} of the disk cut into at most N buckets of equal
 * length, and per bucket the bytes whose bit is set (the extents API's {@code ?buckets=N}). Exact, not sampled:
 * every bit is counted, with 64-bit words counted whole.
 *
 * <p>Rounding: a bucket's length is a whole number of bits ({@code ceil(bits / N)} bits of the window), so
 * each bit falls into exactly one bucket; the last bucket takes what is left and may be shorter, and a window of
 * fewer bits than N gets one bucket per bit (fewer buckets than asked). Bucket {@code i} covers bits
 * {@code [firstBit + i * bitsPerBucket, firstBit + (i + 1) * bitsPerBucket)}, in bytes clipped to the window
 * (an unaligned start, a disk whose size is not a multiple of the granularity), and its dirty bytes are clipped
 * the same way, as the extents are.
 *
 * <p>Feed ranges in ascending bit order with {@link #range}, then read {@link #dirtyBytes}; memory is one long
 * per bucket whatever the bitmap's size.
 */
final class DirtyBuckets {
    /** Most buckets one request may ask for. */
    static final int MAX_BUCKETS = 65536;

    private final long granularity;
    private final long start;
    private final long end;
    private final long firstBit;
    private final long endBit;
    private final long bitsPerBucket;
    private final long[] setBits;
    private boolean firstBitSet;
    private boolean lastBitSet;

    /** Buckets of {@code [start, end)} (already clipped to the disk) of a bitmap of {@code granularity}. */
    DirtyBuckets(long granularity, long start, long end, int buckets) {
        if (buckets < 1 || buckets > MAX_BUCKETS) {
            throw new IllegalArgumentException("buckets must be from 1 to " + MAX_BUCKETS + ", not " + buckets);
        }
        this.granularity = granularity;
        this.start = start;
        this.end = Math.max(start, end);
        this.firstBit = start / granularity;
        this.endBit = end <= start ? firstBit : (end - 1) / granularity + 1;
        long bits = endBit - firstBit;
        this.bitsPerBucket = Math.max(1, (bits + buckets - 1) / buckets);
        this.setBits = new long[(int) ((bits + bitsPerBucket - 1) / bitsPerBucket)];
    }

    /** The window's first byte. */
    long start() {
        return start;
    }

    /** The window's length in bytes. */
    long length() {
        return end - start;
    }

    long granularity() {
        return granularity;
    }

    /** The length of every bucket but perhaps the first and the last, in bytes (whole bits). */
    long bucketLength() {
        return bitsPerBucket * granularity;
    }

    /** The serialized bytes of the bitmap from bit {@code rangeFirstBit} (a multiple of 8) on. */
    void range(long rangeFirstBit, byte[] bytes) {
        if (rangeFirstBit + bytes.length * 8L <= firstBit || rangeFirstBit >= endBit) {
            return;
        }
        BitWords.forEach(rangeFirstBit, bytes, firstBit, endBit, this::word);
    }

    /** Per bucket, the bytes of the window whose bit is set. */
    long[] dirtyBytes() {
        long[] out = new long[setBits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = setBits[i] * granularity;
        }
        if (out.length > 0) {
            if (firstBitSet) {
                out[0] -= start - firstBit * granularity; // the first bit's part before the window
            }
            if (lastBitSet) {
                out[out.length - 1] -= endBit * granularity - end; // the last bit's part past the window
            }
        }
        return out;
    }

    private void word(long base, long w, int width) {
        long lo = Math.max(base, firstBit);
        long hi = Math.min(base + width, endBit);
        if (w == 0 || lo >= hi) {
            return;
        }
        if (lo == firstBit && (w >>> (firstBit - base) & 1) != 0) {
            firstBitSet = true;
        }
        if (hi == endBit && (w >>> (endBit - 1 - base) & 1) != 0) {
            lastBitSet = true;
        }
        while (lo < hi) {
            int bucket = (int) ((lo - firstBit) / bitsPerBucket);
            long segmentEnd = Math.min(hi, firstBit + (bucket + 1) * bitsPerBucket);
            int from = (int) (lo - base);
            int to = (int) (segmentEnd - base);
            long mask = (to == 64 ? -1L : (1L << to) - 1) & (-1L << from);
            setBits[bucket] += Long.bitCount(w & mask);
            lo = segmentEnd;
        }
    }
}
