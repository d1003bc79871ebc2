package org.dbmstream.bitmap.load;

import java.util.Objects;

/**
 * Who a bitmap event is about: the migration, its target, and the node and bitmap both resolved
 * (names on the destination) and as aliased on the wire.
 */
public record BitmapNames(String migration, String target, String node, String nodeAlias, String bitmap,
        String bitmapAlias) {

    public BitmapNames {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(nodeAlias, "nodeAlias");
        Objects.requireNonNull(bitmap, "bitmap");
        Objects.requireNonNull(bitmapAlias, "bitmapAlias");
    }

    public BitmapKey key() {
        return new BitmapKey(migration, nodeAlias, bitmapAlias);
    }

    /** Node alias and bitmap alias, as an EndOfStream manifest lists the bitmap. */
    public org.dbmstream.bitmap.chunk.Chunk.BitmapRef ref() {
        return new org.dbmstream.bitmap.chunk.Chunk.BitmapRef(nodeAlias, bitmapAlias);
    }
}
