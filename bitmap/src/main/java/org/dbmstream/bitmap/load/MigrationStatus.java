package org.dbmstream.bitmap.load;

/** Where a migration stands as a whole on the destination. */
public enum MigrationStatus {
    /** Chunks are loading (or nothing decided yet). */
    ACTIVE,
    /** Every bitmap of the EndOfStream manifest completed. */
    COMPLETED,
    /** Bitmap loading was cancelled; bitmaps completed before stay. */
    CANCELLED,
    /** The migration failed. */
    FAILED
}
