package org.dbmstream.bitmap.source;

import java.util.List;

/**
 * A source block node and its bitmaps. {@code name} is what the node goes by in the migration: with a
 * mapping, its node name; without one, QEMU uses the block device name for a device's root node and
 * the node name otherwise. Null or empty means unnamed; names QEMU generated start with {@code #}.
 */
public record NodeCandidate(String name, List<BitmapCandidate> bitmaps) {

    public NodeCandidate {
        bitmaps = List.copyOf(bitmaps);
    }

    public static NodeCandidate of(String name, BitmapCandidate... bitmaps) {
        return new NodeCandidate(name, List.of(bitmaps));
    }
}
