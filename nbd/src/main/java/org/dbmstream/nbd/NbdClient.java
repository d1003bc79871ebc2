package org.dbmstream.nbd;

import static org.dbmstream.nbd.NbdProtocol.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal NBD client for reading block status: fixed newstyle handshake, structured replies,
 * NBD_OPT_SET_META_CONTEXT, NBD_OPT_GO, then NBD_CMD_BLOCK_STATUS over the whole export in requests of at
 * most {@link #MAX_REQUEST} bytes. Every message read is bounded in size and every wait has a timeout, so
 * a broken or hostile server gives an {@link NbdException}, never a hang or unbounded memory. For TLS URIs
 * ({@code nbds://}) the client asks NBD_OPT_STARTTLS first, shakes hands over the same socket and negotiates
 * everything else encrypted; a server that does not offer TLS is refused, never used in plaintext.
 */
public final class NbdClient implements AutoCloseable {
    /** Largest BLOCK_STATUS request: 1 GiB, so a reply's extents stay few and lengths fit in 32 bits. */
    public static final long MAX_REQUEST = 1L << 30;

    /** Most chunks accepted in one reply: one per context is what a server sends; the rest would be a loop. */
    static final int MAX_REPLY_CHUNKS = 4096;

    /** Most metadata contexts accepted in one answer (a hostile server could send them forever). */
    static final int MAX_CONTEXTS = 65536;

    private static final Logger LOG = LoggerFactory.getLogger(NbdClient.class);

    private final NbdSocket socket;
    private final String peer;
    private final String exportName;
    /** The URI as the user wrote it, with the TLS scheme: what to connect with when the server requires TLS. */
    private final String tlsUri;
    private final Map<Integer, String> contexts = new LinkedHashMap<>();
    private long exportSize;
    private long nextCookie = 1;

    private NbdClient(final NbdSocket socket, final NbdUri uri) {
        this.socket = socket;
        this.peer = uri.server();
        this.exportName = uri.exportName();
        this.tlsUri = uri.text().replaceFirst("^(?i)nbd(\\+tcp|\\+unix)?:", "nbds$1:");
    }

    /** Connects to the export of {@code uri} asking for the metadata contexts {@code contextNames}. */
    public static NbdClient open(final NbdUri uri, final List<String> contextNames, final Duration timeout)
            throws IOException {
        final NbdClient c = connect(uri, timeout);
        try {
            c.handshake(contextNames);
            return c;
        } catch (IOException | RuntimeException e) {
            c.socket.close();
            throw e;
        }
    }

    /** Connects, greets and, for TLS URIs, starts TLS: the option haggling can begin. */
    private static NbdClient connect(final NbdUri uri, final Duration timeout) throws IOException {
        final NbdTls tls = uri.tls() ? uri.tlsSettings() : null;
        // the engine is made first so that missing or bad credentials fail before any connection
        final SSLEngine engine = tls != null ? tls.engine(uri.host(), uri.port()) : null;
        SocketAddress address = uri.address();
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            address = new InetSocketAddress(inet.getHostString(), inet.getPort());
        }
        final NbdSocket s = NbdSocket.connect(address, timeout, uri.server());
        final NbdClient c = new NbdClient(s, uri);
        try {
            c.greeting();
            if (engine != null) {
                c.startTls(engine, tls, uri);
            }
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Size of the export in bytes. */
    public long exportSize() {
        return exportSize;
    }

    /** The contexts the server agreed to, by name. */
    public List<String> contexts() {
        return List.copyOf(contexts.values());
    }

    /**
     * Every metadata context export {@code uri} offers (NBD_OPT_LIST_META_CONTEXT without a query: QEMU 7.2
     * answers a {@code qemu:dirty-bitmap:} prefix query with one bitmap only); the session is then aborted.
     */
    public static List<String> listContexts(final NbdUri uri, final Duration timeout)
            throws IOException {
        final NbdClient c = connect(uri, timeout);
        try (NbdSocket s = c.socket) {
            final List<String> names = c.metaContexts(OPT_LIST_META_CONTEXT, List.of());
            c.sendOption(OPT_ABORT, new byte[0]);
            return names;
        }
    }

    /**
     * NBD_OPT_STARTTLS, then the TLS handshake on the same socket (option haggling starts afresh after it, as
     * the protocol requires: nothing was negotiated before). A server without TLS is refused by name.
     */
    private void startTls(final SSLEngine engine, final NbdTls tls, final NbdUri uri) throws IOException {
        sendOption(OPT_STARTTLS, new byte[0]);
        final OptionReply r = readOptionReply(OPT_STARTTLS);
        if (r.type == REP_ERR_UNSUP || r.type == REP_ERR_POLICY) {
            throw new NbdException("NBD server " + peer + " does not offer TLS (" + errorName(r.type) + " to "
                    + "NBD_OPT_STARTTLS" + r.messageSuffix() + "); " + uri.text().replaceFirst(":.*", "")
                    + ":// asks for TLS and dbm never falls back to plaintext: start the server with TLS (qemu-nbd "
                    + "--tls-creds, block-export-add / nbd-server-start tls-creds), or use nbd:// on a trusted network");
        }
        if (r.type != REP_ACK) {
            throw refused(OPT_STARTTLS, r, "TLS (NBD_OPT_STARTTLS)");
        }
        socket.startTls(engine, e -> NbdTlsFailure.describe(e, peer, tls, engine.getPeerHost()));
        LOG.debug("NBD {}: TLS {} with {}", peer, engine.getSession().getProtocol(), engine.getSession().getCipherSuite());
    }

    /** The option haggling after the greeting (and after TLS, when asked). */
    private void handshake(final List<String> contextNames) throws IOException {
        sendOption(OPT_STRUCTURED_REPLY, new byte[0]);
        final OptionReply sr = readOptionReply(OPT_STRUCTURED_REPLY);
        if (sr.type != REP_ACK) {
            throw refused(OPT_STRUCTURED_REPLY, sr, "structured replies, which block status needs");
        }
        if (!contextNames.isEmpty()) {
            metaContexts(OPT_SET_META_CONTEXT, contextNames);
        }
        go();
    }

    private void greeting() throws IOException {
        final ByteBuffer hello = socket.read(18, "its greeting");
        if (hello.getLong() != NBDMAGIC) {
            throw new NbdException(peer + " is not an NBD server (no NBDMAGIC in its greeting)");
        }
        final long style = hello.getLong();
        if (style == OLDSTYLE_MAGIC) {
            throw new NbdException("NBD server " + peer + " speaks the old-style handshake, which cannot name "
                    + "exports or metadata contexts; use a newstyle server (qemu-nbd, qemu-storage-daemon)");
        }
        if (style != IHAVEOPT) {
            throw new NbdException("NBD server " + peer + " sent an unknown handshake magic 0x" + Long.toHexString(style));
        }
        final int serverFlags = hello.getShort() & 0xffff;
        if ((serverFlags & FLAG_FIXED_NEWSTYLE) == 0) {
            throw new NbdException("NBD server " + peer + " does not support the fixed newstyle handshake");
        }
        final boolean noZeroes = (serverFlags & FLAG_NO_ZEROES) != 0;
        socket.write(ByteBuffer.allocate(4).putInt(FLAG_FIXED_NEWSTYLE | (noZeroes ? FLAG_NO_ZEROES : 0)).flip(),
                "client flags");
    }

    /** Sends SET or LIST_META_CONTEXT; returns the names in the server's replies (LIST gives them all id 0). */
    private List<String> metaContexts(final int option, final List<String> names) throws IOException {
        final byte[] export = exportName.getBytes(StandardCharsets.UTF_8);
        int len = 4 + export.length + 4;
        for (final String n : names) {
            len += 4 + n.getBytes(StandardCharsets.UTF_8).length;
        }
        final ByteBuffer data = ByteBuffer.allocate(len).putInt(export.length).put(export).putInt(names.size());
        for (final String n : names) {
            final byte[] b = n.getBytes(StandardCharsets.UTF_8);
            data.putInt(b.length).put(b);
        }
        sendOption(option, data.array());
        final List<String> replied = new java.util.ArrayList<>();
        while (true) {
            final OptionReply r = readOptionReply(option);
            if (r.type == REP_ACK) {
                break;
            }
            if (r.type != REP_META_CONTEXT) {
                throw refused(option, r, "metadata contexts (NBD_OPT_SET_META_CONTEXT), which dirty "
                        + "bitmaps are read through");
            }
            if (r.data.remaining() < 4) {
                throw new NbdException("NBD server " + peer + " sent a malformed NBD_REP_META_CONTEXT reply");
            }
            final int id = r.data.getInt();
            final String name = contextName(r.data);
            if (replied.size() >= MAX_CONTEXTS) {
                throw new NbdException("NBD server " + peer + " sent more than " + MAX_CONTEXTS + " metadata contexts");
            }
            replied.add(name);
            if (option == OPT_SET_META_CONTEXT) {
                contexts.put(id, name);
            }
        }
        LOG.debug("NBD {} export '{}': contexts {}", peer, exportName, replied);
        return replied;
    }

    private void go() throws IOException {
        final byte[] export = exportName.getBytes(StandardCharsets.UTF_8);
        sendOption(OPT_GO, ByteBuffer.allocate(4 + export.length + 2).putInt(export.length).put(export)
                .putShort((short) 0).array());
        boolean sized = false;
        while (true) {
            final OptionReply r = readOptionReply(OPT_GO);
            if (r.type == REP_ACK) {
                break;
            }
            if (r.type == REP_INFO) {
                if (r.data.remaining() < 2) {
                    throw new NbdException("NBD server " + peer + " sent a malformed NBD_REP_INFO reply");
                }
                if (r.data.getShort() == INFO_EXPORT) {
                    if (r.data.remaining() != 10) {
                        throw new NbdException("NBD server " + peer + " sent a malformed NBD_INFO_EXPORT reply");
                    }
                    exportSize = r.data.getLong();
                    sized = true;
                }
                continue;
            }
            throw refused(OPT_GO, r, "NBD_OPT_GO");
        }
        if (!sized || exportSize < 0) {
            throw new NbdException("NBD server " + peer + " did not report the size of export '" + exportName + "'");
        }
    }

    /**
     * Reads the status of the whole export in context {@code contextName}, in order, into {@code sink}.
     * Extents are clipped to the export; a server that repeats, skips or overruns a range is an error.
     */
    public void blockStatus(final String contextName, final ExtentSink sink) throws IOException {
        final int contextId = contexts.entrySet().stream().filter(e -> e.getValue().equals(contextName))
                .mapToInt(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new NbdException("NBD server " + peer + " did not agree to context '"
                        + contextName + "' on export '" + exportName + "'"));
        long pos = 0;
        while (pos < exportSize) {
            final long length = Math.min(exportSize - pos, MAX_REQUEST);
            final long covered = blockStatusRequest(contextId, pos, length, sink);
            if (covered <= 0) {
                throw new NbdException("NBD server " + peer + " answered NBD_CMD_BLOCK_STATUS at offset " + pos
                        + " without any extent of context '" + contextName + "'");
            }
            pos += covered;
        }
    }

    private long blockStatusRequest(final int contextId, final long offset, final long length, final ExtentSink sink)
            throws IOException {
        final long cookie = nextCookie++;
        socket.write(ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) 0)
                .putShort((short) CMD_BLOCK_STATUS).putLong(cookie).putLong(offset).putInt((int) length).flip(),
                "NBD_CMD_BLOCK_STATUS");
        long covered = -1;
        for (int chunks = 0; ; chunks++) {
            if (chunks >= MAX_REPLY_CHUNKS) {
                throw new NbdException("NBD server " + peer + " sent more than " + MAX_REPLY_CHUNKS
                        + " chunks in one reply to NBD_CMD_BLOCK_STATUS");
            }
            final ByteBuffer head = socket.read(4, "a reply");
            final int magic = head.getInt();
            if (magic == SIMPLE_REPLY_MAGIC) {
                final ByteBuffer rest = socket.read(12, "a simple reply");
                final int error = rest.getInt();
                throw new NbdException("NBD server " + peer + " failed NBD_CMD_BLOCK_STATUS at offset " + offset
                        + (error != 0 ? " with error " + error : " with a simple reply, but structured replies were agreed"));
            }
            if (magic != STRUCTURED_REPLY_MAGIC) {
                throw new NbdException("NBD server " + peer + " sent a reply with bad magic 0x" + Integer.toHexString(magic));
            }
            final ByteBuffer h = socket.read(16, "a structured reply header");
            final int flags = h.getShort() & 0xffff;
            final int type = h.getShort() & 0xffff;
            final long replyCookie = h.getLong();
            final long payloadLength = h.getInt() & 0xffffffffL;
            if (replyCookie != cookie) {
                throw new NbdException("NBD server " + peer + " answered request " + replyCookie + ", but only request "
                        + cookie + " is outstanding");
            }
            if (payloadLength > MAX_REPLY_CHUNK) {
                throw new NbdException("NBD server " + peer + " sent a reply chunk of " + payloadLength
                        + " bytes; at most " + MAX_REPLY_CHUNK + " are accepted");
            }
            final ByteBuffer payload = socket.read((int) payloadLength, "a reply chunk");
            if ((type & REPLY_TYPE_ERROR_BIT) != 0) {
                throw new NbdException("NBD server " + peer + " failed NBD_CMD_BLOCK_STATUS at offset " + offset
                        + errorText(payload));
            }
            if (type == REPLY_TYPE_BLOCK_STATUS) {
                if (payloadLength < 12 || (payloadLength - 4) % 8 != 0) {
                    throw new NbdException("NBD server " + peer + " sent a malformed block status chunk of "
                            + payloadLength + " bytes");
                }
                if (payload.getInt() == contextId) {
                    if (covered >= 0) {
                        throw new NbdException("NBD server " + peer + " sent two block status chunks for one context "
                                + "in one reply");
                    }
                    covered = deliver(payload, offset, length, sink);
                }
            } else if (type != REPLY_TYPE_NONE) {
                throw new NbdException("NBD server " + peer + " sent an unexpected reply chunk type " + type
                        + " to NBD_CMD_BLOCK_STATUS");
            }
            if ((flags & REPLY_FLAG_DONE) != 0) {
                return covered;
            }
        }
    }

    /** Passes a chunk's extents on, clipped to the request (the last may run past it) and to the export. */
    private long deliver(final ByteBuffer payload, final long offset, final long length, final ExtentSink sink)
            throws IOException {
        long pos = offset;
        final long end = offset + length;
        while (payload.hasRemaining()) {
            final long len = payload.getInt() & 0xffffffffL;
            final int status = payload.getInt();
            if (len == 0) {
                throw new NbdException("NBD server " + peer + " sent an extent of length 0 at offset " + pos);
            }
            if (pos >= end) {
                throw new NbdException("NBD server " + peer + " sent extents past the requested range [" + offset
                        + ", " + end + ")");
            }
            final long clipped = Math.min(len, end - pos);
            if (clipped < len && payload.hasRemaining()) {
                throw new NbdException("NBD server " + peer + " sent extents past the requested range [" + offset
                        + ", " + end + ")");
            }
            sink.extent(pos, clipped, status);
            pos += clipped;
        }
        return pos - offset;
    }

    private String errorText(final ByteBuffer p) {
        if (p.remaining() < 6) {
            return "";
        }
        final int error = p.getInt();
        final int msgLen = p.getShort() & 0xffff;
        final String msg = msgLen <= p.remaining()
                ? new String(p.array(), p.position(), msgLen, StandardCharsets.UTF_8) : "";
        return ": error " + error + (msg.isEmpty() ? "" : " (" + msg + ")");
    }

    private void sendOption(final int option, final byte[] data) throws IOException {
        socket.write(ByteBuffer.allocate(16 + data.length).putLong(IHAVEOPT).putInt(option).putInt(data.length)
                .put(data).flip(), optionName(option));
    }

    private OptionReply readOptionReply(final int option) throws IOException {
        final ByteBuffer h = socket.read(20, "a reply to " + optionName(option));
        if (h.getLong() != OPTION_REPLY_MAGIC) {
            throw new NbdException("NBD server " + peer + " sent a reply to " + optionName(option) + " with bad magic");
        }
        final int replyOption = h.getInt();
        final int type = h.getInt();
        final long len = h.getInt() & 0xffffffffL;
        if (replyOption != option) {
            throw new NbdException("NBD server " + peer + " answered " + optionName(replyOption) + " but "
                    + optionName(option) + " was asked");
        }
        if (len > MAX_OPTION_REPLY) {
            throw new NbdException("NBD server " + peer + " sent a reply of " + len + " bytes to " + optionName(option)
                    + "; at most " + MAX_OPTION_REPLY + " are accepted");
        }
        return new OptionReply(type, socket.read((int) len, "a reply to " + optionName(option)));
    }

    private NbdException refused(final int option, final OptionReply r, final String needed) {
        if (r.type == REP_ERR_TLS_REQD) {
            return new NbdException("NBD server " + peer + " requires TLS (NBD_REP_ERR_TLS_REQD" + r.messageSuffix()
                    + "): connect with " + tlsUri + " and the CA "
                    + "certificate that signed the server's certificate (--tls-creds-dir DIR with ca-cert.pem, or --tls-ca FILE)");
        }
        if (r.type == REP_ERR_UNKNOWN) {
            return new NbdException("NBD server " + peer + " has no export '" + exportName + "'" + r.messageSuffix());
        }
        if (r.type == REP_ERR_UNSUP) {
            return new NbdException("NBD server " + peer + " does not support " + needed + r.messageSuffix());
        }
        if ((r.type & REP_FLAG_ERROR) != 0) {
            return new NbdException("NBD server " + peer + " refused " + optionName(option) + " for export '"
                    + exportName + "' (" + errorName(r.type) + ")" + r.messageSuffix());
        }
        return new NbdException("NBD server " + peer + " sent unexpected reply type " + r.type + " to "
                + optionName(option));
    }

    /** Ends the session politely (NBD_CMD_DISC) and closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            socket.write(ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) CMD_DISC)
                    .putLong(nextCookie++).putLong(0).putInt(0).flip(), "NBD_CMD_DISC");
        } catch (IOException e) {
            LOG.debug("NBD {}: disconnect not sent: {}", peer, e.getMessage());
        } finally {
            try {
                socket.closeTls();
            } catch (IOException e) {
                LOG.debug("NBD {}: TLS close_notify not sent: {}", peer, e.getMessage());
            }
            socket.close();
        }
    }

    private record OptionReply(int type, ByteBuffer data) {
        String messageSuffix() {
            if ((type & REP_FLAG_ERROR) == 0 || !data.hasRemaining()) {
                return "";
            }
            return ": " + StandardCharsets.UTF_8.decode(data.duplicate()).toString();
        }
    }

    /**
     * A metadata context name, decoded strictly: it carries a bitmap name, which is refused with its bytes
     * shown rather than changed (a lossy decode would migrate the bitmap under another name).
     */
    private String contextName(final ByteBuffer data) throws NbdException {
        final ByteBuffer bytes = data.duplicate();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(data).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            final byte[] raw = new byte[bytes.remaining()];
            bytes.get(raw);
            throw new NbdException("NBD server " + peer + " offered a metadata context whose name is not valid "
                    + "UTF-8: bytes " + java.util.HexFormat.ofDelimiter(" ").formatHex(raw) + " (hex)");
        }
    }
}
