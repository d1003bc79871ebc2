package org.dbmstream.bitmap;

/**
 * Read access to a dirty bitmap in QEMU's serialized form (LSB-first, whole 8-byte words), enough to
 * cut it into migration chunks. {@link DirtyBitmap} implements it in memory; a bitmap read lazily (for
 * example straight from a qcow2 image) can implement it without ever holding the whole bitmap.
 */
public interface SerializedBitmap {

    /** Size in bytes of the block node the bitmap belongs to. */
    long diskSize();

    /** Bytes of disk one bit covers. */
    Granularity granularity();

    /** Number of bits: ceil(diskSize / granularity). */
    default long bitCount() {
        return granularity().bitsFor(diskSize());
    }

    /**
     * Writes the serialization of bits {@code [firstBit, firstBit + bits)} into {@code dst} at
     * {@code offset}: exactly {@link DirtyBitmap#serializationSize(long, long)} bytes, as QEMU's
     * {@code hbitmap_serialize_part}. {@code firstBit} is a multiple of 64; bits past the end of the
     * bitmap read as zero.
     */
    void serializeInto(long firstBit, long bits, byte[] dst, int offset);
}
