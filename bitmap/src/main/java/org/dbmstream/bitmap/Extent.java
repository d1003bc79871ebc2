package org.dbmstream.bitmap;

/** A byte range of a disk and whether the bitmap marks it dirty. */
public record Extent(long start, long length, boolean dirty) {
    public long end() {
        return start + length;
    }
}
