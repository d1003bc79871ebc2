package org.dbmstream.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;

/** Positional reads from the image file that fail with a message naming what lies out of the file. */
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

    /** Reads {@code len} bytes at {@code offset} (big-endian buffer); {@code what} names them in errors. */
    ByteBuffer read(long offset, int len, String what) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.BIG_ENDIAN);
        readInto(offset, buf, what);
        return buf.flip();
    }

    /** Fills {@code buf} from its position to its limit with file bytes starting at {@code offset}. */
    void readInto(long offset, ByteBuffer buf, String what) throws IOException {
        int len = buf.remaining();
        if (offset < 0 || offset > length || len > length - offset) {
            throw new Qcow2Exception("truncated or corrupt image: " + what + " at offset " + offset + " ("
                    + len + " bytes) lies outside the file of " + length + " bytes");
        }
        channel.position(offset);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new Qcow2Exception("truncated image: file ended while reading " + what + " at offset "
                        + offset + " (" + len + " bytes)");
            }
        }
    }
}
