/**
 * QEMU migration stream files (the savevm container, {@code migrate "exec:cat > FILE"}): find the
 * {@code dirty-bitmap} section's chunks in a plain or gzip stream, streaming
 * ({@link org.dbmstream.codec.savevm.SavevmReader}), and rebuild the bitmaps they carry for
 * inspection ({@link org.dbmstream.codec.savevm.StreamBitmapBuilder}).
 *
 * <p>Limits, reported as {@link org.dbmstream.codec.savevm.SavevmFormatException} when met: postcopy
 * packaged streams, RDMA, RAM capabilities that add fields to MEM_SIZE entries (x-ignore-shared,
 * postcopy with huge pages). Device vmstate is skipped by scanning to its footer followed by a section
 * type byte, not with the JSON VM description.
 */
package org.dbmstream.codec.savevm;
