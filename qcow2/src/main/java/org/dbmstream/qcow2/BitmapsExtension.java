package org.dbmstream.qcow2;

import java.nio.ByteBuffer;

/** The qcow2 bitmaps header extension (0x23852875): where the bitmap directory is. */
record BitmapsExtension(int nbBitmaps, long directorySize, long directoryOffset) {
    /** QEMU's limits: 65535 bitmaps, 1 KiB of directory per bitmap. */
    static final int MAX_BITMAPS = 65535;
    static final long MAX_DIRECTORY_SIZE = 1024L * MAX_BITMAPS;

    static BitmapsExtension parse(ByteBuffer b, int clusterSize) throws Qcow2Exception {
        if (b.remaining() != 24) {
            throw new Qcow2Exception("corrupt bitmaps extension: length " + b.remaining() + ", expected 24");
        }
        long nb = b.getInt(0) & 0xffffffffL;
        int reserved = b.getInt(4);
        long dirSize = b.getLong(8);
        long dirOffset = b.getLong(16);
        if (nb == 0 || nb > MAX_BITMAPS) {
            throw new Qcow2Exception("corrupt bitmaps extension: nb_bitmaps " + nb + " outside 1.." + MAX_BITMAPS);
        }
        if (reserved != 0) {
            throw new Qcow2Exception("corrupt bitmaps extension: reserved field is " + reserved + ", must be 0");
        }
        if (dirSize <= 0 || dirSize > MAX_DIRECTORY_SIZE) {
            throw new Qcow2Exception("corrupt bitmaps extension: bitmap_directory_size " + dirSize
                    + " outside 1.." + MAX_DIRECTORY_SIZE);
        }
        if (dirOffset <= 0 || dirOffset % clusterSize != 0) {
            throw new Qcow2Exception("corrupt bitmaps extension: bitmap_directory_offset " + dirOffset
                    + " is not a cluster offset");
        }
        return new BitmapsExtension((int) nb, dirSize, dirOffset);
    }
}
