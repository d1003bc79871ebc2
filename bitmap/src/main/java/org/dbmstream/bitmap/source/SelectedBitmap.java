package org.dbmstream.bitmap.source;

import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;
import org.dbmstream.bitmap.chunk.MigrationBitmap;

/**
 * A bitmap chosen for migration: its names on the source, the aliases it travels as, and the START
 * flags to send ({@code persistent} already overridden by the mapping's transform, if any).
 */
public record SelectedBitmap(String nodeName, String bitmapName, String nodeAlias, String bitmapAlias,
        Granularity granularity, boolean enabled, boolean persistent) {

    /** Pairs this selection with the bitmap's bits for the sequencer; the granularity must agree. */
    public MigrationBitmap withBits(SerializedBitmap bits) {
        if (!bits.granularity().equals(granularity)) {
            throw new IllegalArgumentException("bitmap '" + bitmapName + "' on node '" + nodeName + "' has granularity "
                    + granularity + " but its bits have " + bits.granularity());
        }
        return new MigrationBitmap(nodeAlias, bitmapAlias, enabled, persistent, bits);
    }
}
