package org.dbmstream.source.sync;

import java.util.Objects;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.ChunkDigest;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.chunk.MigrationBitmap;

/**
 * A source bitmap as one round read it: what goes on the wire, its destination identity, QEMU's sha256 and
 * count, and the digest of each of its chunks, all from one pass over its chunks.
 *
 * @param nodeName   source node name
 * @param bitmapName source bitmap name
 * @param bitmap     aliases, flags and bits as sent
 * @param id         destination names
 * @param digest     QEMU's sha256 and count of the whole bitmap
 * @param digests    one {@link ChunkDigest} per chunk
 * @param readTime   when the source was read (epoch ms)
 * @param chunkSize  how much bitmap each chunk carries (its digests are per chunk of this width)
 */
public record ScannedBitmap(String nodeName, String bitmapName, MigrationBitmap bitmap, BitmapIdentity id,
        BitmapDigest.Result digest, long[] digests, long readTime, ChunkSize chunkSize) {

    public ScannedBitmap {
        Objects.requireNonNull(bitmap, "bitmap");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(chunkSize, "chunkSize");
    }

    /** Reads {@code bitmap}'s chunks of QEMU's width once: their digests, and the whole bitmap's sha256/count. */
    public static ScannedBitmap scan(String nodeName, String bitmapName, MigrationBitmap bitmap, BitmapIdentity id,
            long readTime) {
        return scan(nodeName, bitmapName, bitmap, id, readTime, ChunkSize.QEMU);
    }

    /** Reads {@code bitmap}'s chunks of {@code chunkSize} once: their digests, and the whole bitmap's sha256/count. */
    public static ScannedBitmap scan(String nodeName, String bitmapName, MigrationBitmap bitmap, BitmapIdentity id,
            long readTime, ChunkSize chunkSize) {
        BitmapChunker chunker = chunker(bitmap, chunkSize);
        long n = chunker.chunkCount();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(id + ": " + n + " chunks are too many to remember");
        }
        long[] digests = new long[(int) n];
        BitmapDigest sha = new BitmapDigest(bitmap.bits().granularity());
        for (int i = 0; i < digests.length; i++) {
            Chunk.Bits bits = chunker.chunk(i);
            digests[i] = ChunkDigest.of(bits);
            int serialized = (int) chunker.layout().serializedSize(i);
            if (bits.zeroes()) {
                sha.updateZeros(serialized);
            } else {
                sha.update(bits.payload(), 0, serialized);
            }
        }
        return new ScannedBitmap(nodeName, bitmapName, bitmap, id, sha.finish(), digests, readTime, chunkSize);
    }

    private static BitmapChunker chunker(MigrationBitmap bitmap, ChunkSize chunkSize) {
        return new BitmapChunker(bitmap.bits(), bitmap.nodeAlias(), bitmap.bitmapAlias(), chunkSize);
    }

    /** How this bitmap is cut into chunks (the same layout its digests were made for). */
    public BitmapChunker chunker() {
        return chunker(bitmap, chunkSize);
    }

    /**
     * Sectors per chunk of this bitmap's layout: a version remembered at another chunk width has other chunks,
     * so the round sends the bitmap whole instead of a delta.
     */
    public long chunkSectors() {
        return chunker().layout().sectorsPerChunk();
    }

    public long granularity() {
        return bitmap.bits().granularity().bytes();
    }

    public long size() {
        return bitmap.bits().diskSize();
    }

    /** What to remember once the destination confirmed this version through {@code migration}'s event at {@code confirmed}. */
    public RememberedVersion confirmed(String migration, long confirmed) {
        return new RememberedVersion(id, digest.sha256(), digest.count(), granularity(), size(), bitmap.enabled(),
                bitmap.persistent(), chunkSectors(), digests, bitmap.nodeAlias(), bitmap.bitmapAlias(), migration,
                confirmed, readTime);
    }
}
