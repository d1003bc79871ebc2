package org.dbmstream.bitmap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An in-memory dirty bitmap of a block node, exactly as QEMU models it: {@code ceil(size / g)} bits,
 * bit k covering disk bytes {@code [k*g, (k+1)*g)}, serialized LSB-first in whole 8-byte words.
 *
 * <p>Used where a whole bitmap fits in memory (tests, the qcow2 and stream inspectors, the source).
 * The destination topology never holds a whole bitmap; it stores serialized chunks and digests them
 * with {@link BitmapDigest}.
 */
public final class DirtyBitmap implements SerializedBitmap {
    /** Writes a whole word little-endian (bit k at bit k%8 of byte k/8) in one access. */
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long diskSize;
    private final Granularity granularity;
    private final long bitCount;
    private final long[] words;

    public DirtyBitmap(long diskSize, Granularity granularity) {
        this.diskSize = diskSize;
        this.granularity = granularity;
        this.bitCount = granularity.bitsFor(diskSize);
        long wordCount = (bitCount + 63) >>> 6;
        if (wordCount > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bitmap of " + bitCount + " bits is too large to hold in memory");
        }
        this.words = new long[(int) wordCount];
    }

    @Override
    public long diskSize() {
        return diskSize;
    }

    @Override
    public Granularity granularity() {
        return granularity;
    }

    /** Number of bits: ceil(size / granularity). */
    @Override
    public long bitCount() {
        return bitCount;
    }

    /** Bytes of the whole serialized bitmap: whole 8-byte words. */
    public long serializedSize() {
        return (long) words.length * 8;
    }

    public boolean get(long bit) {
        checkBit(bit);
        return (words[(int) (bit >>> 6)] & (1L << bit)) != 0;
    }

    public void set(long bit) {
        checkBit(bit);
        words[(int) (bit >>> 6)] |= 1L << bit;
    }

    /** Sets or clears bits {@code [first, first + count)}. */
    public void setRange(long first, long count, boolean value) {
        if (count < 0) {
            throw new IllegalArgumentException("negative bit count " + count);
        }
        if (count == 0) {
            return;
        }
        checkBit(first);
        checkBit(first + count - 1);
        long bit = first;
        long end = first + count;
        while (bit < end) {
            int w = (int) (bit >>> 6);
            int lo = (int) (bit & 63);
            int n = (int) Math.min(64 - lo, end - bit);
            long mask = (n == 64 ? -1L : ((1L << n) - 1)) << lo;
            words[w] = value ? words[w] | mask : words[w] & ~mask;
            bit += n;
        }
    }

    /** Marks the granules touched by a guest write of {@code length} bytes at {@code offset} dirty. */
    public void markDirty(long offset, long length) {
        if (length <= 0) {
            return;
        }
        if (offset < 0 || offset + length > diskSize) {
            throw new IllegalArgumentException(
                    "write [" + offset + ", " + (offset + length) + ") is outside the disk of " + diskSize + " bytes");
        }
        long first = offset >>> granularity.shift();
        long last = (offset + length - 1) >>> granularity.shift();
        setRange(first, last - first + 1, true);
    }

    /** Clears every bit. */
    public void clear() {
        Arrays.fill(words, 0L);
    }

    /** Number of set bits. */
    public long setBits() {
        long n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    /** QEMU's dirty count: set bits times the granularity, in bytes, not clipped to the disk size. */
    public long count() {
        return setBits() * granularity.bytes();
    }

    /**
     * Bytes QEMU's {@code hbitmap_serialization_size} gives for bits {@code [firstBit, firstBit+bits)}:
     * the whole 64-bit words the range spans, times 8.
     */
    public static long serializationSize(long firstBit, long bits) {
        if (bits == 0) {
            return 0;
        }
        long firstWord = firstBit >>> 6;
        long lastWord = (firstBit + bits - 1) >>> 6;
        return (lastWord - firstWord + 1) * 8;
    }

    /**
     * Serializes bits {@code [firstBit, firstBit + bits)}, which must start on a word boundary, as QEMU's
     * {@code hbitmap_serialize_part}: the spanned words, little-endian.
     */
    public byte[] serialize(long firstBit, long bits) {
        long size = serializationSize(firstBit, bits);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("serialized range of " + size + " bytes does not fit one array");
        }
        byte[] out = new byte[(int) size];
        serializeInto(firstBit, bits, out, 0);
        return out;
    }

    @Override
    public void serializeInto(long firstBit, long bits, byte[] dst, int offset) {
        checkRange(firstBit, bits);
        int len = (int) serializationSize(firstBit, bits);
        if (offset < 0 || offset + len > dst.length) {
            throw new IndexOutOfBoundsException(
                    len + " bytes at offset " + offset + " do not fit a buffer of " + dst.length);
        }
        int w = (int) (firstBit >>> 6);
        for (int i = offset; i < offset + len; i += 8, w++) {
            LE_LONG.set(dst, i, words[w]);
        }
    }

    /**
     * Deserializes bits {@code [firstBit, firstBit + bits)} from {@code buf} as QEMU's
     * {@code hbitmap_deserialize_part}; {@code buf} may be longer (QEMU pads buffers to 32 bytes).
     */
    public void deserialize(long firstBit, long bits, byte[] buf) {
        checkRange(firstBit, bits);
        int need = (int) serializationSize(firstBit, bits);
        if (buf.length < need) {
            throw new IllegalArgumentException("buffer of " + buf.length + " bytes, need " + need);
        }
        int w = (int) (firstBit >>> 6);
        for (int i = 0; i < need; i += 8, w++) {
            long v = 0;
            for (int b = 0; b < 8; b++) {
                v |= (buf[i + b] & 0xffL) << (8 * b);
            }
            words[w] = v;
        }
        // Bits past the end of the bitmap never exist in QEMU's hbitmap; drop any a sender set.
        trimTail();
    }

    /** The whole serialized bitmap (what QEMU hashes for its sha256). */
    public byte[] toBytes() {
        return serialize(0, bitCount);
    }

    /** QEMU's {@code x-debug-block-dirty-bitmap-sha256}, lowercase hex. */
    public String sha256() {
        return digest().sha256();
    }

    /**
     * sha256, count and set bits in one pass, serializing block by block so that a large bitmap is not
     * copied whole.
     */
    public BitmapDigest.Result digest() {
        BitmapDigest d = new BitmapDigest(granularity);
        byte[] block = new byte[8192];
        long blockBits = block.length * 8L;
        for (long bit = 0; bit < bitCount; bit += blockBits) {
            long n = Math.min(blockBits, bitCount - bit);
            int len = (int) serializationSize(bit, n);
            serializeInto(bit, n, block, 0);
            d.update(block, 0, len);
        }
        return d.finish();
    }

    /** ORs {@code other} (same geometry) into this bitmap, as QEMU's merge/reclaim. */
    public void merge(DirtyBitmap other) {
        if (other.bitCount != bitCount || !other.granularity.equals(granularity)) {
            throw new IllegalArgumentException("cannot merge bitmaps of different geometry");
        }
        for (int i = 0; i < words.length; i++) {
            words[i] |= other.words[i];
        }
    }

    /**
     * Dirty and clean extents covering the whole disk, clipped to its size: the shape backup tools read
     * from oVirt imageio ({@code [{start, length, dirty}]}).
     */
    public List<Extent> extents() {
        List<Extent> out = new ArrayList<>();
        long g = granularity.bytes();
        long bit = 0;
        while (bit < bitCount) {
            boolean dirty = get(bit);
            long end = nextBit(bit, !dirty);
            long start = bit * g;
            long stop = Math.min(end * g, diskSize);
            out.add(new Extent(start, stop - start, dirty));
            bit = end;
        }
        return out;
    }

    /** Index of the first bit at or after {@code from} whose value is {@code value}, or bitCount. */
    private long nextBit(long from, boolean value) {
        int w = (int) (from >>> 6);
        long word = (value ? words[w] : ~words[w]) & (-1L << from);
        while (word == 0) {
            if (++w >= words.length) {
                return bitCount;
            }
            word = value ? words[w] : ~words[w];
        }
        return Math.min(((long) w << 6) + Long.numberOfTrailingZeros(word), bitCount);
    }

    /** Only the dirty extents. */
    public List<Extent> dirtyExtents() {
        return extents().stream().filter(Extent::dirty).toList();
    }

    private void trimTail() {
        int tailBits = (int) (bitCount & 63);
        if (tailBits != 0 && words.length > 0) {
            words[words.length - 1] &= (1L << tailBits) - 1;
        }
    }

    private void checkBit(long bit) {
        if (bit < 0 || bit >= bitCount) {
            throw new IndexOutOfBoundsException("bit " + bit + " outside bitmap of " + bitCount + " bits");
        }
    }

    private void checkRange(long firstBit, long bits) {
        if ((firstBit & 63) != 0) {
            throw new IllegalArgumentException("range must start on a 64-bit word boundary: " + firstBit);
        }
        if (bits < 0 || firstBit < 0 || firstBit + bits > bitCount) {
            throw new IndexOutOfBoundsException(
                    "bits [" + firstBit + ", " + (firstBit + bits) + ") outside bitmap of " + bitCount + " bits");
        }
    }
}
