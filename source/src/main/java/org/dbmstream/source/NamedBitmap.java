package org.dbmstream.source;

import java.util.Objects;
import org.dbmstream.bitmap.chunk.MigrationBitmap;

/**
 * A selected bitmap: its source-side node and bitmap names, and what goes on the wire (aliases, flags,
 * bits).
 */
public record NamedBitmap(String nodeName, String bitmapName, MigrationBitmap bitmap) {
    public NamedBitmap {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(bitmapName, "bitmapName");
        Objects.requireNonNull(bitmap, "bitmap");
    }

    /** Names, aliases and geometry, as a publication reports them. */
    public PublishedBitmap describe() {
        return new PublishedBitmap(nodeName, bitmap.nodeAlias(), bitmapName, bitmap.bitmapAlias(),
                bitmap.bits().granularity().bytes(), bitmap.bits().diskSize(), bitmap.enabled(), bitmap.persistent());
    }
}
