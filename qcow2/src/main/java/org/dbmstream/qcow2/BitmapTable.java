package org.dbmstream.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A bitmap's table of cluster entries, read a block at a time so a table of any length is read in
 * bounded memory. Entry: bits 9..55 the data cluster's offset; bit 0 with offset 0 means "all ones";
 * offset 0 with bit 0 clear means "all zeros"; every other bit is reserved.
 */
final class BitmapTable {
    static final long OFFSET_MASK = 0x00fffffffffffe00L;
    static final long RESERVED_MASK = 0xff000000000001feL;
    static final long ALL_ONES = 1L;
    private static final int BLOCK_ENTRIES = 512;

    private final ImageFile file;
    private final Qcow2Bitmap bitmap;
    private final int clusterSize;
    private final long[] block;
    private long blockStart = -1;

    BitmapTable(ImageFile file, Qcow2Bitmap bitmap, int clusterSize) {
        this.file = file;
        this.bitmap = bitmap;
        this.clusterSize = clusterSize;
        this.block = new long[Math.min(BLOCK_ENTRIES, bitmap.tableSize())];
    }

    /** Entry {@code i}, checked as QEMU checks it before loading. */
    long entry(long i) throws IOException {
        long start = i - i % block.length;
        if (start != blockStart) {
            int n = (int) Math.min(block.length, bitmap.tableSize() - start);
            ByteBuffer b = file.read(bitmap.tableOffset() + start * 8, n * 8,
                    "the bitmap table of '" + bitmap.name() + "'");
            for (int k = 0; k < n; k++) {
                block[k] = b.getLong(k * 8);
            }
            blockStart = start;
        }
        long e = block[(int) (i - start)];
        long offset = e & OFFSET_MASK;
        String problem = null;
        if ((e & RESERVED_MASK) != 0) {
            problem = "reserved bits are set";
        } else if (offset != 0 && (e & ALL_ONES) != 0) {
            problem = "it has both a data offset and the all-ones bit";
        } else if (offset % clusterSize != 0) {
            problem = "offset " + offset + " is not a cluster offset";
        }
        if (problem != null) {
            throw new Qcow2Exception(String.format("Could not read bitmap '%s' from image: bitmap table entry %d"
                    + " (0x%016x) is corrupt: %s", bitmap.name(), i, e, problem));
        }
        return e;
    }
}
