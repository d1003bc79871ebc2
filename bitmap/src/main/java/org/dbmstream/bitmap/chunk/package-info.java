/**
 * QEMU's dirty-bitmap migration chunks: the {@link org.dbmstream.bitmap.chunk.Chunk} model, the
 * save-side chunker ({@link org.dbmstream.bitmap.chunk.ChunkLayout},
 * {@link org.dbmstream.bitmap.chunk.BitmapChunker}) and the order one migration sends them in
 * ({@link org.dbmstream.bitmap.chunk.MigrationSequencer}).
 */
package org.dbmstream.bitmap.chunk;
