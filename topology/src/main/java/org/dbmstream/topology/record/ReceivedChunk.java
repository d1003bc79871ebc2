package org.dbmstream.topology.record;

import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.ChunkKey;

/**
 * A chunk as the chunks topic delivered it: the validated chunk (without aliases, which are in the
 * record's key), the id of the source that sent it and its per-key sequence number.
 */
public record ReceivedChunk(Chunk chunk, String sourceId, long sequence) {

    /** The load input for this chunk under its record's key: aliases put in, payload not copied. */
    public LoadInput withKey(ChunkKey key) {
        return LoadInput.chunk(key.getMigration(), CheckedChunkValueSerde.withKey(key, chunk), sourceId, sequence);
    }
}
