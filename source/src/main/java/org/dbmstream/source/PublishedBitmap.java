package org.dbmstream.source;

/**
 * One bitmap a publication sent: its source-side names, the aliases it went out under and its geometry.
 * For a re-published QEMU stream the names are the aliases (the stream carries nothing else).
 */
public record PublishedBitmap(String nodeName, String nodeAlias, String bitmapName, String bitmapAlias,
        long granularity, long diskSize, boolean enabled, boolean persistent) {
}
