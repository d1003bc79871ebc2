/**
 * QEMU's source-side choice of the bitmaps a migration sends
 * ({@link org.dbmstream.bitmap.source.BitmapSelector}), from plain descriptions of nodes and bitmaps.
 */
package org.dbmstream.bitmap.source;
