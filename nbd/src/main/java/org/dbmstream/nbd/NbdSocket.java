package org.dbmstream.nbd;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A non-blocking socket (TCP or Unix domain) with a deadline on every read, write and connect: a server
 * that stops answering makes the client fail with a clear error instead of hanging. Blocking socket
 * channels have no read timeout, hence the selector.
 */
final class NbdSocket implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutMillis;
    private final String peer;

    private NbdSocket(final SocketChannel channel, final Selector selector, final Duration timeout, final String peer) {
        this.channel = channel;
        this.selector = selector;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.peer = peer;
    }

    static NbdSocket connect(final SocketAddress address, final Duration timeout, final String peer)
            throws IOException {
        final SocketChannel ch = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        Selector sel = null;
        try {
            ch.configureBlocking(false);
            sel = Selector.open();
            final NbdSocket s = new NbdSocket(ch, sel, timeout, peer);
            if (!ch.connect(address)) {
                s.await(SelectionKey.OP_CONNECT, "connecting");
                ch.finishConnect();
            }
            return s;
        } catch (IOException | RuntimeException e) {
            if (sel != null) {
                sel.close();
            }
            ch.close();
            if (e instanceof NbdException n) {
                throw n;
            }
            throw new NbdException("cannot connect to NBD server " + peer + ": " + e.getMessage(), e);
        }
    }

    /** Reads exactly {@code n} bytes (n is bounded by the caller). */
    ByteBuffer read(final int n, final String what) throws IOException {
        final ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            final int r = channel.read(buf);
            if (r < 0) {
                throw new NbdException("NBD server " + peer + " closed the connection while sending " + what
                        + " (" + buf.position() + " of " + n + " bytes received)");
            }
            if (r == 0) {
                await(SelectionKey.OP_READ, "sending " + what);
            }
        }
        return buf.flip();
    }

    void write(final ByteBuffer buf, final String what) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) {
                await(SelectionKey.OP_WRITE, "accepting " + what);
            }
        }
    }

    private void await(final int op, final String what) throws IOException {
        final SelectionKey key = channel.register(selector, op);
        try {
            if (selector.select(timeoutMillis) == 0) {
                throw new NbdException("NBD server " + peer + " timed out " + what + " (no progress in "
                        + timeoutMillis + " ms)");
            }
            selector.selectedKeys().clear();
        } finally {
            key.interestOps(0);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
