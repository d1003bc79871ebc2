package org.dbmstream.topology.record;

import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;

/**
 * A chunk as the chunks topic delivered it: the validated chunk (without aliases, which are in the
 * record's key), the id of the source that sent it and its per-key sequence number. A well-formed value
 * that is no valid chunk has no chunk but its decoded value and bytes, so that the migration its key
 * names can be failed ({@link RejectedChunk}).
 */
public record ReceivedChunk(Chunk chunk, String sourceId, long sequence, ChunkValue invalid, byte[] bytes) {

    public ReceivedChunk(Chunk chunk, String sourceId, long sequence) {
        this(chunk, sourceId, sequence, null, null);
    }

    /** A well-formed value that makes no valid chunk, and its bytes. */
    public static ReceivedChunk invalid(ChunkValue value, byte[] bytes) {
        return new ReceivedChunk(null, value.getSourceId(), value.getSequence(), value, bytes);
    }

    /** The load input for this chunk under its record's key: aliases put in, payload not copied. */
    public LoadInput withKey(ChunkKey key) {
        if (invalid != null) {
            return LoadInput.rejected(new RejectedChunk(key, bytes, CheckedChunkValueSerde.problem(key, invalid)));
        }
        return LoadInput.chunk(key.getMigration(), CheckedChunkValueSerde.withKey(key, chunk), sourceId, sequence);
    }
}
