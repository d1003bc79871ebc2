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
}
