package org.dbmstream.qcow2;

import org.dbmstream.bitmap.Granularity;

/**
 * One persistent dirty bitmap as the qcow2 bitmap directory describes it. Reading its data is
 * {@link Qcow2Image#data(Qcow2Bitmap)}; this record only holds metadata, so an inspector can list
 * inconsistent bitmaps too.
 *
 * @param name                bitmap name (UTF-8 in the image)
 * @param granularity         bytes per bit
 * @param diskSize            virtual size of the image, in bytes
 * @param enabled             the qcow2 {@code auto} flag: QEMU loads the bitmap recording new writes
 * @param inUse               the qcow2 {@code in_use} flag: the writer did not store the bitmap cleanly
 * @param extensionConsistent the image's autoclear bit 0 vouches for the bitmaps extension
 * @param tableOffset         file offset of the bitmap table
 * @param tableSize           number of 8-byte bitmap table entries (one per bitmap cluster)
 */
public record Qcow2Bitmap(String name, Granularity granularity, long diskSize, boolean enabled, boolean inUse,
                          boolean extensionConsistent, long tableOffset, int tableSize) {

    /** Always true: a bitmap stored in a qcow2 image is persistent. */
    public boolean persistent() {
        return true;
    }

    /** The data cannot be used: {@code in_use} is set, or the autoclear bit is clear. */
    public boolean inconsistent() {
        return inUse || !extensionConsistent;
    }

    /** Number of bits: ceil(diskSize / granularity). */
    public long bitCount() {
        return granularity.bitsFor(diskSize);
    }

    /** Bytes of the serialized bitmap QEMU hashes: whole 8-byte words. */
    public long serializedSize() {
        return ((bitCount() + 63) >>> 6) * 8;
    }
}
