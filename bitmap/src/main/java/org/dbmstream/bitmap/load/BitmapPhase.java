package org.dbmstream.bitmap.load;

/**
 * Where a bitmap on the destination stands. A cancelled bitmap is released (its state deleted), as
 * QEMU releases it, so it has no phase of its own.
 */
public enum BitmapPhase {
    /** STARTed; BITS are arriving. */
    LOADING,
    /** COMPLETE arrived: the bitmap is migrated; its count and sha256 are final. */
    COMPLETE
}
