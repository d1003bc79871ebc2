package org.dbmstream.nbd;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A tiny scripted NBD server on an ephemeral port, for testing the client against broken and hostile
 * servers: each test writes the bytes the server sends. The helpers speak the protocol correctly.
 */
final class FakeNbdServer implements AutoCloseable {
    /** What the server does with one connection. */
    interface Script {
        void run(DataInputStream in, DataOutputStream out) throws IOException;
    }

    /** A request of the transmission phase. */
    record Request(int type, long cookie, long offset, long length) {
    }

    private final ServerSocket server;
    private final Thread thread;

    FakeNbdServer(final Script script) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> {
            try (Socket s = server.accept();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
                script.run(in, out);
                out.flush();
                // hold the connection until the client closes it (hang scenarios rely on this)
                while (in.read() >= 0) {
                    // drain
                }
            } catch (IOException e) {
                // the client went away: the scenario is over
            }
        }, "fake-nbd-server");
        thread.setDaemon(true);
        thread.start();
    }

    NbdUri uri(final String query) {
        return NbdUri.parse("nbd://127.0.0.1:" + server.getLocalPort() + "/disk?" + query);
    }

    static void greet(final DataOutputStream out) throws IOException {
        out.writeLong(NbdProtocol.NBDMAGIC);
        out.writeLong(NbdProtocol.IHAVEOPT);
        out.writeShort(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES);
        out.flush();
    }

    /** Reads the client flags after the greeting. */
    static void clientFlags(final DataInputStream in) throws IOException {
        in.readInt();
    }

    /** Reads one option and returns its number (its data is skipped). */
    static int option(final DataInputStream in) throws IOException {
        in.readLong();
        final int opt = in.readInt();
        in.skipNBytes(in.readInt());
        return opt;
    }

    static void optionReply(final DataOutputStream out, final int opt, final int type, final byte[] data)
            throws IOException {
        out.writeLong(NbdProtocol.OPTION_REPLY_MAGIC);
        out.writeInt(opt);
        out.writeInt(type);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    /** A correct negotiation up to the transmission phase: context id 7 for the one bitmap asked. */
    static void negotiate(final DataInputStream in, final DataOutputStream out, final String bitmap, final long size)
            throws IOException {
        greet(out);
        clientFlags(in);
        optionReply(out, option(in), NbdProtocol.REP_ACK, new byte[0]);
        final int meta = option(in);
        final byte[] name = ("qemu:dirty-bitmap:" + bitmap).getBytes(StandardCharsets.UTF_8);
        final byte[] ctx = java.nio.ByteBuffer.allocate(4 + name.length).putInt(7).put(name).array();
        optionReply(out, meta, NbdProtocol.REP_META_CONTEXT, ctx);
        optionReply(out, meta, NbdProtocol.REP_ACK, new byte[0]);
        final int go = option(in);
        optionReply(out, go, NbdProtocol.REP_INFO, java.nio.ByteBuffer.allocate(12).putShort((short) 0)
                .putLong(size).putShort((short) 1).array());
        optionReply(out, go, NbdProtocol.REP_ACK, new byte[0]);
    }

    static Request request(final DataInputStream in) throws IOException {
        in.readInt();
        in.readShort();
        final int type = in.readShort();
        return new Request(type, in.readLong(), in.readLong(), in.readInt() & 0xffffffffL);
    }

    /** One BLOCK_STATUS chunk with the DONE flag: pairs of (length, status). */
    static void blockStatus(final DataOutputStream out, final long cookie, final int contextId, final long... pairs)
            throws IOException {
        out.writeInt(NbdProtocol.STRUCTURED_REPLY_MAGIC);
        out.writeShort(NbdProtocol.REPLY_FLAG_DONE);
        out.writeShort(NbdProtocol.REPLY_TYPE_BLOCK_STATUS);
        out.writeLong(cookie);
        out.writeInt(4 + pairs.length * 4);
        out.writeInt(contextId);
        for (final long v : pairs) {
            out.writeInt((int) v);
        }
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }
}
