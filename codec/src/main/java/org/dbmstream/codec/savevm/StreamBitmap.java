package org.dbmstream.codec.savevm;

import org.dbmstream.bitmap.DirtyBitmap;

/**
 * A bitmap as a migration stream carries it, for inspection ({@code dbm inspect} of a stream file).
 *
 * @param node        node alias as sent
 * @param name        bitmap alias as sent
 * @param granularity bytes per bit
 * @param size        disk size in bytes (inferred from the stream unless given)
 * @param enabled     START's enabled flag
 * @param persistent  START's persistent flag
 * @param complete    whether a COMPLETE chunk arrived
 * @param count       QEMU's dirty count: set bits x granularity, in bytes
 * @param sha256      QEMU's x-debug-block-dirty-bitmap-sha256 of the bitmap
 * @param bitmap      the bits themselves (for extents)
 */
public record StreamBitmap(String node, String name, long granularity, long size, boolean enabled,
        boolean persistent, boolean complete, long count, String sha256, DirtyBitmap bitmap) {
}
