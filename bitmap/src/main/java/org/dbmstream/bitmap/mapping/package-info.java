/**
 * QEMU's {@code block-bitmap-mapping} migration parameter: its QMP JSON shape
 * ({@link org.dbmstream.bitmap.mapping.BlockBitmapMapping}) and its validated lookup tables in both
 * directions ({@link org.dbmstream.bitmap.mapping.AliasMap}).
 */
package org.dbmstream.bitmap.mapping;
