package org.dbmstream.codec.savevm;

import org.dbmstream.codec.WireChunk;

/**
 * A dirty-bitmap chunk found in a migration stream file.
 *
 * @param offset  offset of its first flags byte in the (uncompressed) stream
 * @param length  bytes it takes in the stream
 * @param section the section it was sent in (START, PART or END)
 * @param wire    the chunk as on the wire
 */
public record SavevmChunk(long offset, int length, Section.Type section, WireChunk wire) {
}
