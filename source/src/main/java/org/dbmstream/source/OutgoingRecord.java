package org.dbmstream.source;

import org.dbmstream.bitmap.chunk.Chunk;

/**
 * One serialized record of a migration, ready for a producer or a Connect task.
 *
 * @param position    place in the migration's record sequence: 0 is the spec, chunks follow from 1
 * @param topic       destination topic
 * @param partition   the partition to write to (a chunk of a bitmap: its identity's), or null: Kafka's choice
 *                    by key
 * @param key         serialized key
 * @param value       serialized value
 * @param chunk       the chunk, or null for the migration spec
 * @param pendingBits QEMU's pending estimate once this record is sent
 */
public record OutgoingRecord(long position, String topic, Integer partition, byte[] key, byte[] value, Chunk chunk,
        long pendingBits) {

    /** Serialized key plus value bytes (what the rate limit counts). */
    public long bytes() {
        return (long) key.length + value.length;
    }

    /** Whether this is the migration spec record. */
    public boolean isSpec() {
        return chunk == null;
    }
}
