package org.dbmstream.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS over an {@link NbdSocket} with an {@link SSLEngine}: an SSLSocket cannot be layered on a Unix domain
 * socket channel, and the engine keeps the socket's deadlines. Buffers are the engine's packet and
 * application sizes (about 16 KiB each), so a hostile server cannot make them grow.
 */
final class NbdTlsSession {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final NbdSocket socket;
    private final String peer;
    private final Function<SSLException, NbdException> failures;
    /** Received, not yet decrypted (fill mode). */
    private ByteBuffer netIn;
    /** Encrypted, being sent. */
    private ByteBuffer netOut;
    /** Decrypted, not yet consumed (read mode). */
    private ByteBuffer appIn;

    NbdTlsSession(final SSLEngine engine, final NbdSocket socket, final String peer,
            final Function<SSLException, NbdException> failures) {
        this.engine = engine;
        this.socket = socket;
        this.peer = peer;
        this.failures = failures;
        netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
    }

    /** The whole handshake, to finish before {@code deadline} (System.nanoTime). */
    void handshake(final long deadline) throws IOException {
        try {
            engine.beginHandshake();
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> wrap(EMPTY, "its TLS handshake");
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrap("its TLS handshake", deadline);
                    case NEED_TASK -> runTasks();
                    default -> {
                        return;
                    }
                }
            }
        } catch (SSLException e) {
            throw failures.apply(e);
        }
    }

    /** Fills {@code dst} with decrypted bytes. */
    void read(final ByteBuffer dst, final String what) throws IOException {
        try {
            while (dst.hasRemaining()) {
                if (appIn.hasRemaining()) {
                    final int n = Math.min(appIn.remaining(), dst.remaining());
                    dst.put(dst.position(), appIn, appIn.position(), n);
                    dst.position(dst.position() + n);
                    appIn.position(appIn.position() + n);
                    continue;
                }
                unwrap(what, 0);
                // a key update or close_notify may want an answer
                if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    wrap(EMPTY, what);
                }
            }
        } catch (SSLException e) {
            throw failures.apply(e);
        }
    }

    /** Encrypts and sends all of {@code src}. */
    void write(final ByteBuffer src, final String what) throws IOException {
        try {
            wrap(src, what);
        } catch (SSLException e) {
            throw failures.apply(e);
        }
    }

    /** Sends close_notify. */
    void close() throws IOException {
        engine.closeOutbound();
        wrap(EMPTY, "close_notify");
    }

    private void wrap(final ByteBuffer src, final String what) throws IOException {
        do {
            netOut.clear();
            final SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize()));
                continue;
            }
            netOut.flip();
            send(netOut, what);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                if (src.hasRemaining()) {
                    throw new NbdException("the TLS session with NBD server " + peer + " is closed");
                }
                return;
            }
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
            }
        } while (src.hasRemaining());
    }

    /** Decrypts at least one record (reading from the socket when what is buffered is not a whole record). */
    private void unwrap(final String what, final long deadline) throws IOException {
        while (true) {
            netIn.flip();
            appIn.compact();
            final SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
                appIn.flip();
            }
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
            }
            switch (r.getStatus()) {
                case OK -> {
                    if (r.bytesConsumed() > 0 || r.bytesProduced() > 0) {
                        return;
                    }
                    receive(what, deadline);
                }
                case BUFFER_UNDERFLOW -> receive(what, deadline);
                case BUFFER_OVERFLOW -> {
                    if (appIn.hasRemaining()) {
                        return;
                    }
                    appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
                }
                case CLOSED -> throw new NbdException("NBD server " + peer + " closed the TLS session while sending "
                        + what);
                default -> throw new IllegalStateException("unknown SSLEngine status " + r.getStatus());
            }
        }
    }

    private void receive(final String what, final long deadline) throws IOException {
        if (!netIn.hasRemaining()) {
            final int size = engine.getSession().getPacketBufferSize();
            if (netIn.capacity() >= size) {
                throw new NbdException("NBD server " + peer + " sent a TLS record larger than " + size + " bytes");
            }
            netIn = ByteBuffer.allocate(size).put(netIn.flip());
        }
        final int n;
        try {
            n = socket.readSome(netIn, what, deadline);
        } catch (NbdException e) {
            throw e;
        } catch (IOException e) {
            throw closed(what, e);
        }
        if (n < 0) {
            throw closed(what, null);
        }
    }

    private void send(final ByteBuffer buf, final String what) throws IOException {
        try {
            socket.writeRaw(buf, what);
        } catch (NbdException e) {
            throw e;
        } catch (IOException e) {
            throw closed(what, e);
        }
    }

    /** The server hung up mid-TLS: as an SSLException, so that it is described with the credentials in use. */
    private static SSLException closed(final String what, final IOException cause) {
        return new SSLException("the server closed the connection while we waited for " + what
                + (cause != null ? " (" + cause.getMessage() + ")" : ""), cause);
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
