package org.dbmstream.bitmap.load;

import java.util.Objects;

/**
 * A bitmap of a migration as it travels: migration id, node alias and bitmap alias (the chunks-topic
 * key). The destination stores a bitmap under this key, so all chunks of one bitmap meet in one place.
 */
public record BitmapKey(String migration, String nodeAlias, String bitmapAlias) {

    public BitmapKey {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(nodeAlias, "nodeAlias");
        Objects.requireNonNull(bitmapAlias, "bitmapAlias");
    }

    /** Marks the key of a successor; a NUL never occurs in an alias (QEMU's are C strings). */
    private static final String SUCCESSOR = "\u0000successor";

    /**
     * Where the bits of this bitmap's successor are kept: the bitmap's own bits are replaced by BITS
     * chunks, so writes recorded while it loads live apart until COMPLETE merges them in.
     */
    public BitmapKey successor() {
        return new BitmapKey(migration, nodeAlias, bitmapAlias + SUCCESSOR);
    }
}
