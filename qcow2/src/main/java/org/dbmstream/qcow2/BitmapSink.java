package org.dbmstream.qcow2;

import java.io.IOException;
import org.dbmstream.bitmap.BitmapDigest;

/**
 * Receives a bitmap's serialized bytes in order, cluster by cluster; runs of zeros that the image
 * does not store (bitmap table entry 0) arrive as {@link #zeros}. The buffer passed to {@link #bytes}
 * is reused by the reader: copy what must outlive the call.
 */
public interface BitmapSink {
    void bytes(byte[] buf, int off, int len) throws IOException;

    void zeros(long n) throws IOException;

    /** A sink that feeds QEMU's sha256 and count. */
    static BitmapSink of(BitmapDigest digest) {
        return new BitmapSink() {
            @Override
            public void bytes(byte[] buf, int off, int len) {
                digest.update(buf, off, len);
            }

            @Override
            public void zeros(long n) {
                digest.updateZeros(n);
            }
        };
    }
}
