package org.dbmstream.source;

import java.util.List;

/**
 * What one publication sent.
 *
 * @param migration    migration id
 * @param target       destination namespace written into the migration spec
 * @param bitmaps      the bitmaps in the EndOfStream manifest, in sending order
 * @param records      records written, the migration spec included
 * @param bytes        serialized key+value bytes written
 * @param elapsedNanos wall time from the first record to the last acknowledgement
 */
public record PublishResult(String migration, String target, List<PublishedBitmap> bitmaps, long records,
        long bytes, long elapsedNanos) {
    public PublishResult {
        bitmaps = List.copyOf(bitmaps);
    }
}
