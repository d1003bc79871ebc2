package org.dbmstream.source.sync;

import java.util.Objects;

/** A replica bitmap by its destination names: what a sync remembers a version of, across migrations. */
public record BitmapIdentity(String target, String node, String bitmap) implements Comparable<BitmapIdentity> {

    public BitmapIdentity {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(bitmap, "bitmap");
    }

    /** The key of part {@code part} on the sync topic: length-prefixed names (any character may occur), then the part. */
    public String key(int part) {
        return target.length() + ":" + target + node.length() + ":" + node + bitmap.length() + ":" + bitmap + "#"
                + part;
    }

    @Override
    public int compareTo(BitmapIdentity o) {
        int c = node.compareTo(o.node);
        return c != 0 ? c : bitmap.compareTo(o.bitmap);
    }

    @Override
    public String toString() {
        return node + "/" + bitmap;
    }
}
