package org.dbmstream.bitmap.source;

import java.util.Objects;
import org.dbmstream.bitmap.Granularity;

/**
 * A bitmap found on a source node, as QEMU knows it: {@code name} null for an anonymous bitmap (never
 * migrated); {@code busy} when another operation (backup, an earlier migration) holds it;
 * {@code inconsistent} when its qcow2 copy is flagged {@code in_use} (the writer did not close it).
 */
public record BitmapCandidate(String name, Granularity granularity, boolean enabled, boolean persistent,
        boolean busy, boolean inconsistent) {

    public BitmapCandidate {
        Objects.requireNonNull(granularity, "granularity");
    }

    /** A named bitmap that is neither busy nor inconsistent. */
    public static BitmapCandidate of(String name, Granularity granularity, boolean enabled, boolean persistent) {
        return new BitmapCandidate(name, granularity, enabled, persistent, false, false);
    }

    boolean named() {
        return name != null;
    }
}
