package org.dbmstream.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.dbmstream.bitmap.Granularity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against broken and hostile servers: a clear error every time, bounded memory, no hang. */
class NbdClientTest {
    private static final Duration SHORT = Duration.ofMillis(800);
    private static final Granularity G = Granularity.of(65536);

    @TempDir
    Path tmp;

    private NbdDirtyBitmap.Result read(final FakeNbdServer server) throws IOException {
        return NbdDirtyBitmap.read(server.uri("bitmap=b"), "b", G, tmp.resolve("b.raw"), SHORT);
    }

    @Test
    void readsAWellBehavedServersExtentsIntoBits() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.negotiate(in, out, "b", 1 << 20);
            final FakeNbdServer.Request r = FakeNbdServer.request(in);
            // bits 0 and 2..3 dirty; the last extent runs past the request, which the protocol allows
            FakeNbdServer.blockStatus(out, r.cookie(), 7, 65536, 1, 65536, 0, 131072, 1, 1 << 21, 0);
        })) {
            final NbdDirtyBitmap.Result result = read(server);
            assertThat(result.diskSize()).isEqualTo(1 << 20);
            assertThat(result.digest().setBits()).isEqualTo(3);
            assertThat(Files.readAllBytes(tmp.resolve("b.raw"))).startsWith((byte) 0b1101);
        }
    }

    @Test
    void aServerThatIsNotNbdIsNamed() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> out.writeBytes("HTTP/1.1 400 Bad Request\r\n\r\n"))) {
            assertThatThrownBy(() -> read(server)).isInstanceOf(NbdException.class)
                    .hasMessageContaining("is not an NBD server");
        }
    }

    @Test
    void anOldStyleServerIsRefused() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            out.writeLong(NbdProtocol.NBDMAGIC);
            out.writeLong(NbdProtocol.OLDSTYLE_MAGIC);
            out.writeShort(0);
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("old-style handshake");
        }
    }

    @Test
    void aSilentServerTimesOutInsteadOfHanging() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> FakeNbdServer.greet(out))) {
            final long start = System.nanoTime();
            assertThatThrownBy(() -> read(server)).isInstanceOf(NbdException.class).hasMessageContaining("timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        }
    }

    @Test
    void aServerThatRequiresTlsGetsAClearError() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.greet(out);
            FakeNbdServer.clientFlags(in);
            FakeNbdServer.optionReply(out, FakeNbdServer.option(in), NbdProtocol.REP_ERR_TLS_REQD,
                    "TLS is required".getBytes());
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("requires TLS")
                    .hasMessageContaining("TLS is required").hasMessageContaining("connect with nbds://127.0.0.1:");
        }
    }

    @Test
    void aServerThatAcceptsStartTlsAndThenStallsTimesOut() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.greet(out);
            FakeNbdServer.clientFlags(in);
            final int opt = FakeNbdServer.option(in);
            assertThat(opt).isEqualTo(NbdProtocol.OPT_STARTTLS);
            FakeNbdServer.optionReply(out, opt, NbdProtocol.REP_ACK, new byte[0]);
            // then read the ClientHello and answer nothing
        })) {
            final long start = System.nanoTime();
            assertThatThrownBy(() -> NbdDirtyBitmap.read(tls(server), "b", G, tmp.resolve("b.raw"), SHORT))
                    .isInstanceOf(NbdException.class).hasMessageContaining("timed out")
                    .hasMessageContaining("TLS handshake");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        }
    }

    @Test
    void aServerThatSendsGarbageForTlsIsNamed() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.greet(out);
            FakeNbdServer.clientFlags(in);
            FakeNbdServer.optionReply(out, FakeNbdServer.option(in), NbdProtocol.REP_ACK, new byte[0]);
            out.writeBytes("this is not a TLS record at all, just text\r\n");
        })) {
            assertThatThrownBy(() -> NbdDirtyBitmap.read(tls(server), "b", G, tmp.resolve("b.raw"), SHORT))
                    .isInstanceOf(NbdException.class).hasMessageContaining("TLS with NBD server");
        }
    }

    @Test
    void aServerWithoutTlsIsRefusedWhenTlsWasAsked() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.greet(out);
            FakeNbdServer.clientFlags(in);
            FakeNbdServer.optionReply(out, FakeNbdServer.option(in), NbdProtocol.REP_ERR_UNSUP, new byte[0]);
        })) {
            assertThatThrownBy(() -> NbdDirtyBitmap.read(tls(server), "b", G, tmp.resolve("b.raw"), SHORT))
                    .isInstanceOf(NbdException.class).hasMessageContaining("does not offer TLS (NBD_REP_ERR_UNSUP")
                    .hasMessageContaining("never falls back to plaintext");
        }
    }

    /** The fake server's export as nbds://, trusting the JVM's default CAs (the handshake never gets that far). */
    private static NbdUri tls(final FakeNbdServer server) {
        return NbdUri.parse(server.uri("bitmap=b").text().replaceFirst("^nbd:", "nbds:"));
    }

    @Test
    void aHugeOptionReplyIsRefusedWithoutAllocatingIt() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.greet(out);
            FakeNbdServer.clientFlags(in);
            final int opt = FakeNbdServer.option(in);
            out.writeLong(NbdProtocol.OPTION_REPLY_MAGIC);
            out.writeInt(opt);
            out.writeInt(NbdProtocol.REP_ACK);
            out.writeInt(0x7fffffff);
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("at most 65536 are accepted");
        }
    }

    @Test
    void aHugeReplyChunkIsRefusedWithoutAllocatingIt() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.negotiate(in, out, "b", 1 << 20);
            final FakeNbdServer.Request r = FakeNbdServer.request(in);
            out.writeInt(NbdProtocol.STRUCTURED_REPLY_MAGIC);
            out.writeShort(NbdProtocol.REPLY_FLAG_DONE);
            out.writeShort(NbdProtocol.REPLY_TYPE_BLOCK_STATUS);
            out.writeLong(r.cookie());
            out.writeInt(-8);
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("reply chunk of 4294967288 bytes");
        }
    }

    @Test
    void malformedExtentsAreErrors() throws Exception {
        final long[][] cases = {
            {0, 1},                 // an extent of length 0
            {65536, 1, 0, 0},       // length 0 after a good one
        };
        for (final long[] pairs : cases) {
            try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
                FakeNbdServer.negotiate(in, out, "b", 1 << 20);
                FakeNbdServer.blockStatus(out, FakeNbdServer.request(in).cookie(), 7, pairs);
            })) {
                assertThatThrownBy(() -> read(server)).hasMessageContaining("extent of length 0");
            }
        }
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.negotiate(in, out, "b", 1 << 20);
            FakeNbdServer.blockStatus(out, FakeNbdServer.request(in).cookie(), 7, 1 << 21, 1, 65536, 0);
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("past the requested range");
        }
    }

    @Test
    void aReplyForAnotherRequestOrAnEmptyAnswerIsAnError() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.negotiate(in, out, "b", 1 << 20);
            FakeNbdServer.blockStatus(out, FakeNbdServer.request(in).cookie() + 1, 7, 65536, 1);
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("only request");
        }
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.negotiate(in, out, "b", 1 << 20);
            // a chunk of another context only: no progress for ours
            FakeNbdServer.blockStatus(out, FakeNbdServer.request(in).cookie(), 8, 1 << 20, 1);
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("without any extent");
        }
    }

    @Test
    void aServerThatNeverEndsItsReplyIsCutOff() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.negotiate(in, out, "b", 1 << 20);
            final long cookie = FakeNbdServer.request(in).cookie();
            for (int i = 0; i <= NbdClient.MAX_REPLY_CHUNKS; i++) {
                out.writeInt(NbdProtocol.STRUCTURED_REPLY_MAGIC);
                out.writeShort(0);
                out.writeShort(NbdProtocol.REPLY_TYPE_NONE);
                out.writeLong(cookie);
                out.writeInt(0);
            }
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("chunks in one reply");
        }
    }

    @Test
    void aServerThatHangsUpMidReplyIsNamed() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.negotiate(in, out, "b", 1 << 20);
            FakeNbdServer.request(in);
            out.writeInt(NbdProtocol.STRUCTURED_REPLY_MAGIC);
            out.flush();
            throw new IOException("hang up");
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("closed the connection");
        }
    }

    @Test
    void aServerErrorChunkCarriesItsMessage() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.negotiate(in, out, "b", 1 << 20);
            final FakeNbdServer.Request r = FakeNbdServer.request(in);
            final byte[] msg = "bitmap busy".getBytes();
            out.writeInt(NbdProtocol.STRUCTURED_REPLY_MAGIC);
            out.writeShort(NbdProtocol.REPLY_FLAG_DONE);
            out.writeShort(NbdProtocol.REPLY_TYPE_ERROR_BIT | 1);
            out.writeLong(r.cookie());
            out.writeInt(6 + msg.length);
            out.writeInt(5);
            out.writeShort(msg.length);
            out.write(msg);
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("error 5 (bitmap busy)");
        }
    }

    @Test
    void extentsNotAlignedToTheGranularityAreRefused() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> {
            FakeNbdServer.negotiate(in, out, "b", 1 << 20);
            FakeNbdServer.blockStatus(out, FakeNbdServer.request(in).cookie(), 7, 4096, 1, (1 << 20) - 4096, 0);
        })) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("at most 4096");
        }
    }

    @Test
    void anUnknownBitmapIsNamed() throws Exception {
        try (FakeNbdServer server = new FakeNbdServer((in, out) -> FakeNbdServer.negotiate(in, out, "other", 1 << 20))) {
            assertThatThrownBy(() -> read(server)).hasMessageContaining("has no dirty bitmap 'b'");
        }
    }
}
