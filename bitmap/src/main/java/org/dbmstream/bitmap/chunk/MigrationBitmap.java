package org.dbmstream.bitmap.chunk;

import java.util.Objects;
import org.dbmstream.bitmap.SerializedBitmap;

/**
 * One bitmap a migration sends: its aliases on the wire, the START flags to send (persistent already
 * overridden by a mapping transform, if any) and its bits.
 */
public record MigrationBitmap(String nodeAlias, String bitmapAlias, boolean enabled, boolean persistent,
        SerializedBitmap bits) {

    public MigrationBitmap {
        Objects.requireNonNull(nodeAlias, "nodeAlias");
        Objects.requireNonNull(bitmapAlias, "bitmapAlias");
        Objects.requireNonNull(bits, "bits");
    }

    /** The START chunk announcing this bitmap (granularity, flags and our disk-size extension). */
    public Chunk.Start start() {
        return Chunk.Start.of(nodeAlias, bitmapAlias, bits.granularity(), enabled, persistent, bits.diskSize());
    }

    public Chunk.Complete complete() {
        return new Chunk.Complete(nodeAlias, bitmapAlias);
    }

    public Chunk.BitmapRef ref() {
        return new Chunk.BitmapRef(nodeAlias, bitmapAlias);
    }
}
