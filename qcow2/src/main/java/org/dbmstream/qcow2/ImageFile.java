package org.dbmstream.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;

/**
 * Positional reads from the image file that fail with a message naming what lies out of the file.
 * Safe to share between threads: reads never depend on a previous read's position.
 */
final class ImageFile {
    private final SeekableByteChannel channel;
    private final long length;

    ImageFile(SeekableByteChannel channel) throws IOException {
        this.channel = channel;
        this.length = channel.size();
    }

    long length() {
        return length;
    }

    SeekableByteChannel channel() {
        return channel;
    }

    /** A FileChannel reads at a position without moving a shared one, so readers may share it. */
    private int readAt(long pos, ByteBuffer buf) throws IOException {
        if (channel instanceof FileChannel fc) {
            return fc.read(buf, pos);
        }
        synchronized (channel) {
            channel.position(pos);
            return channel.read(buf);
        }
    }

    /** Reads {@code len} bytes at {@code offset} (big-endian buffer); {@code what} names them in errors. */
    ByteBuffer read(long offset, int len, String what) throws IOException {
        // Checked before allocating: the length comes from the image and may claim far more than it holds.
        checkInside(offset, len, what);
        ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.BIG_ENDIAN);
        readInto(offset, buf, what);
        return buf.flip();
    }

    /** Fills {@code buf} from its position to its limit with file bytes starting at {@code offset}. */
    void readInto(long offset, ByteBuffer buf, String what) throws IOException {
        int len = buf.remaining();
        checkInside(offset, len, what);
        long pos = offset;
        while (buf.hasRemaining()) {
            int n = readAt(pos, buf);
            pos += Math.max(n, 0);
            if (n < 0) {
                throw new Qcow2Exception("truncated image: file ended while reading " + what + " at offset "
                        + offset + " (" + len + " bytes)");
            }
        }
    }

    private void checkInside(long offset, int len, String what) throws Qcow2Exception {
        if (offset < 0 || len < 0 || offset > length || len > length - offset) {
            throw new Qcow2Exception("truncated or corrupt image: " + what + " at offset " + offset + " ("
                    + len + " bytes) lies outside the file of " + length + " bytes");
        }
    }
}
