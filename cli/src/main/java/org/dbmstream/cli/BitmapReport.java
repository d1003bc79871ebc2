package org.dbmstream.cli;

/**
 * One bitmap as {@code dbm inspect} prints it: the values QEMU reports for it
 * ({@code query-named-block-nodes} and {@code x-debug-block-dirty-bitmap-sha256}).
 *
 * @param node         the node (device) name: from the stream, or for a qcow2 image the node name
 *                     {@code dbm migrate} gives it (the file name without extensions)
 * @param inconsistent QEMU's {@code inconsistent}: a qcow2 bitmap whose {@code in_use} flag is set; QEMU
 *                     shows it (count 0, not recording) but refuses to use it, as {@code migrate} does
 */
public record BitmapReport(String file, String node, String name, long granularity, long size, boolean enabled,
        boolean persistent, long count, String sha256, boolean inconsistent) {

    public BitmapReport(String file, String node, String name, long granularity, long size, boolean enabled,
            boolean persistent, long count, String sha256) {
        this(file, node, name, granularity, size, enabled, persistent, count, sha256, false);
    }
}
