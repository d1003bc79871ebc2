/**
 * QEMU's dirty-bitmap migration chunk wire format (DESIGN section 2), byte for byte.
 *
 * <ul>
 *   <li>{@link org.dbmstream.codec.ChunkCodec}: stateless read/write of one {@link org.dbmstream.codec.WireChunk}
 *       (raw flags and their width, names only where sent), so {@code write(read(x)) == x}.</li>
 *   <li>{@link org.dbmstream.codec.ChunkNames}: fills in omitted names from earlier chunks (state that
 *       crosses stream sections) and yields the domain {@link org.dbmstream.bitmap.chunk.Chunk}.</li>
 *   <li>{@link org.dbmstream.codec.ChunkEncoder}: domain chunks to wire chunks, sending names only when
 *       they change, as QEMU's {@code send_bitmap_header}.</li>
 * </ul>
 *
 * <p>Division of work with the destination ({@code org.dbmstream.bitmap.load}): the codec refuses what
 * cannot be framed (truncation, garbage flags, a buffer over 10 * CHUNK_SIZE, with QEMU's message and
 * before allocating) as {@link org.dbmstream.codec.ChunkFormatException}; it passes through what the
 * destination judges against its bitmaps (reserved START flag bits, buffer size against granularity).
 * A chunk with no name known yet is {@link org.dbmstream.codec.MissingNameException} carrying QEMU's
 * "Error: block device name is not set", raised by {@code ChunkNames} after the chunk was consumed, so
 * a destination can cancel as QEMU does and go on decoding.
 */
package org.dbmstream.codec;
