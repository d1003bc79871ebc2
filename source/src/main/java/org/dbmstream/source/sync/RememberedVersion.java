package org.dbmstream.source.sync;

import java.util.Objects;

/**
 * The version of a replica bitmap a sync remembers (DESIGN.md section 12): written once the destination
 * confirmed it, so the next round can send only the chunks whose digest changed.
 *
 * @param id           the bitmap's destination names
 * @param sha256       the version: QEMU's sha256
 * @param count        QEMU's count
 * @param granularity  bytes per bit
 * @param size         disk size in bytes
 * @param enabled      START's flag as sent
 * @param persistent   START's flag as sent
 * @param chunkSectors sectors per chunk the digests were made for
 * @param digests      one digest per chunk ({@link org.dbmstream.bitmap.chunk.ChunkDigest})
 * @param nodeAlias    node alias it was sent under
 * @param bitmapAlias  bitmap alias it was sent under
 * @param migration    the migration whose BitmapCompleted confirmed it
 * @param confirmed    that event's time (the destination's clock, epoch ms): later changes by others count
 * @param readTime     when the source read these bits (epoch ms)
 */
public record RememberedVersion(BitmapIdentity id, String sha256, long count, long granularity, long size, boolean enabled,
        boolean persistent, long chunkSectors, long[] digests, String nodeAlias, String bitmapAlias, String migration,
        long confirmed, long readTime) {

    public RememberedVersion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(digests, "digests");
    }
}
