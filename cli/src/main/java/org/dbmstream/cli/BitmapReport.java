package org.dbmstream.cli;

/**
 * One bitmap as {@code dbm inspect} prints it: the values QEMU reports for it
 * ({@code query-named-block-nodes} and {@code x-debug-block-dirty-bitmap-sha256}).
 *
 * @param node the node (device) name for migration streams, null for qcow2 images
 */
public record BitmapReport(String file, String node, String name, long granularity, long size, boolean enabled,
        boolean persistent, long count, String sha256) {
}
