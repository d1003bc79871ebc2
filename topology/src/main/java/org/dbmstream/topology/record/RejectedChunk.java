package org.dbmstream.topology.record;

import org.dbmstream.schemas.ChunkKey;

/**
 * A chunk record whose key names its migration but whose value, though well-formed Avro, is no valid
 * chunk (e.g. a Start whose flags contradict its enabled field). Like QEMU on a read error, the loading
 * side fails that migration with {@code reason}; the record goes to the dead-letter topic as it came
 * ({@code value} are its bytes), with the reason, migration and aliases in headers.
 */
public record RejectedChunk(ChunkKey key, byte[] value, String reason) {
}
