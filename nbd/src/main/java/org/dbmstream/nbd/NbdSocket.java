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
 * channels have no read timeout, hence the selector. After {@link #startTls} every byte goes through TLS.
 */
final class NbdSocket implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutMillis;
    private final String peer;
    private NbdTlsSession tls;

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
                s.await(SelectionKey.OP_CONNECT, "connecting", 0);
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
        if (tls != null) {
            tls.read(buf, what);
            return buf.flip();
        }
        while (buf.hasRemaining()) {
            if (readSome(buf, what, 0) < 0) {
                throw new NbdException("NBD server " + peer + " closed the connection while sending " + what
                        + " (" + buf.position() + " of " + n + " bytes received)");
            }
        }
        return buf.flip();
    }

    void write(final ByteBuffer buf, final String what) throws IOException {
        if (tls != null) {
            tls.write(buf, what);
        } else {
            writeRaw(buf, what);
        }
    }

    /**
     * Runs the TLS handshake of {@code engine} over this connection, which must then finish within the
     * timeout as a whole (a server that trickles bytes cannot stretch it); afterwards all I/O is encrypted.
     */
    void startTls(final javax.net.ssl.SSLEngine engine,
            final java.util.function.Function<javax.net.ssl.SSLException, NbdException> failures) throws IOException {
        final NbdTlsSession session = new NbdTlsSession(engine, this, peer, failures);
        session.handshake(System.nanoTime() + timeoutMillis * 1_000_000L);
        tls = session;
    }

    /** Ends TLS politely (close_notify) when it was started; errors are the caller's to ignore. */
    void closeTls() throws IOException {
        if (tls != null) {
            tls.close();
        }
    }

    /**
     * Reads what is there (at least one byte, waiting when nothing is) into {@code buf}; -1 at the end of the
     * stream. {@code deadline} (System.nanoTime) bounds the whole wait when not 0.
     */
    int readSome(final ByteBuffer buf, final String what, final long deadline) throws IOException {
        while (true) {
            final int r = channel.read(buf);
            if (r != 0) {
                return r;
            }
            await(SelectionKey.OP_READ, "sending " + what, deadline);
        }
    }

    void writeRaw(final ByteBuffer buf, final String what) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) {
                await(SelectionKey.OP_WRITE, "accepting " + what, 0);
            }
        }
    }

    private void await(final int op, final String what, final long deadline) throws IOException {
        final long wait = deadline == 0 ? timeoutMillis
                : Math.min(timeoutMillis, Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
        if (deadline != 0 && deadline - System.nanoTime() <= 0) {
            throw new NbdException("NBD server " + peer + " timed out " + what + " (the TLS handshake did not "
                    + "finish in " + timeoutMillis + " ms)");
        }
        final SelectionKey key = channel.register(selector, op);
        try {
            if (selector.select(wait) == 0) {
                throw new NbdException("NBD server " + peer + " timed out " + what + " (no progress in "
                        + wait + " ms)");
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
