package org.dbmstream.qcow2.fuzz;

import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/** A read-only channel over an array, so that fuzzed images need no files. */
final class ByteArrayChannel implements SeekableByteChannel {
    private final byte[] data;
    private long position;
    private boolean open = true;

    ByteArrayChannel(final byte[] data) {
        this.data = data;
    }

    @Override
    public int read(final ByteBuffer dst) {
        if (position >= data.length) {
            return -1;
        }
        final int n = (int) Math.min(dst.remaining(), data.length - position);
        dst.put(data, (int) position, n);
        position += n;
        return n;
    }

    @Override
    public int write(final ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(final long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public SeekableByteChannel truncate(final long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
