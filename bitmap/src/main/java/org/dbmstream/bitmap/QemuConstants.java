package org.dbmstream.bitmap;

/** Constants of QEMU's dirty-bitmap migration (migration/block-dirty-bitmap.c). */
public final class QemuConstants {
    /** Bytes of serialized bitmap one BITS chunk covers (the last one may be shorter). */
    public static final int CHUNK_SIZE = 1 << 10;
    /** A destination refuses a BITS buffer larger than this before allocating it. */
    public static final int MAX_BUFFER_SIZE = 10 * CHUNK_SIZE;
    /** BITS buffers are padded to a multiple of this (4 * sizeof(long) on 64-bit hosts). */
    public static final int BUFFER_ALIGN = 32;
    public static final int SECTOR_BITS = 9;
    public static final int SECTOR_SIZE = 1 << SECTOR_BITS;
    /** Longest node or bitmap alias that fits a counted string on the wire. */
    public static final int MAX_ALIAS_BYTES = 255;
    /** Longest node name QEMU accepts. */
    public static final int MAX_NODE_NAME_BYTES = 31;
    /** Longest bitmap name QEMU accepts (BDRV_BITMAP_MAX_NAME_SIZE). */
    public static final int MAX_BITMAP_NAME_BYTES = 1023;

    private QemuConstants() {
    }

    /** Rounds {@code n} up to a multiple of {@code align} (a power of two). */
    public static long alignUp(long n, long align) {
        return (n + align - 1) & -align;
    }
}
