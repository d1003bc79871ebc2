package org.dbmstream.source;

import org.dbmstream.bitmap.chunk.Chunk;

/**
 * A chunk in a migration's sending order with its per-key sequence number (0, 1, 2... for each
 * {migration, node alias, bitmap alias}; EndOfStream chunks share the migration-wide key).
 *
 * @param chunk       the chunk, names resolved
 * @param sequence    its per-key sequence number
 * @param pendingBits QEMU's pending estimate once this chunk has been sent
 */
public record SequencedChunk(Chunk chunk, long sequence, long pendingBits) {
}
