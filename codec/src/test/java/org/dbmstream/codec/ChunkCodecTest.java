package org.dbmstream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dbmstream.bitmap.chunk.Chunk;
import org.junit.jupiter.api.Test;

/** Generated chunk sequences, garbage and hostile sizes. */
class ChunkCodecTest {
    private static final String ALPHA = "abcdefghijklmnopqrstuvwxyz0123456789-._äß€";

    @Test
    void generatedSequencesRoundTripWithEveryFlagsWidthAndNameLength() throws IOException {
        Random rnd = new Random(42);
        List<WireChunk> chunks = new ArrayList<>();
        int[] widths = {1, 2, 4};
        for (int len = 0; len <= 255; len += 17) {
            for (int width : widths) {
                String node = name(rnd, len);
                String bitmap = name(rnd, 255 - len);
                chunks.add(chunk(width, ChunkFlags.START | ChunkFlags.DEVICE_NAME | ChunkFlags.BITMAP_NAME, node,
                        bitmap, 1L << (9 + rnd.nextInt(23)), rnd.nextInt(256), 0, 0, null));
                byte[] buf = new byte[32 * (1 + rnd.nextInt(32))];
                rnd.nextBytes(buf);
                chunks.add(chunk(width, ChunkFlags.BITS, null, null, 0, 0, rnd.nextLong() >>> 1,
                        rnd.nextInt() & 0xffffffffL, buf));
                chunks.add(chunk(width, ChunkFlags.BITS | ChunkFlags.ZEROES | ChunkFlags.BITMAP_NAME, null, bitmap,
                        0, 0, 8192L * len, 8192, null));
                chunks.add(chunk(width, ChunkFlags.COMPLETE | ChunkFlags.DEVICE_NAME, node, null, 0, 0, 0, 0, null));
                chunks.add(chunk(width, ChunkFlags.EOS, null, null, 0, 0, 0, 0, null));
            }
        }
        chunks.add(chunk(1, ChunkFlags.BITS, null, null, 0, 0, 0, 0, new byte[0]));
        chunks.add(chunk(1, ChunkFlags.BITS, null, null, 0, 0, 0, 0, new byte[10240]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (WireChunk c : chunks) {
            byte[] one = ChunkCodec.toBytes(c);
            assertThat(one).hasSize(c.encodedLength());
            assertThat(ChunkCodec.decode(one)).isEqualTo(c);
            out.write(one);
        }
        byte[] all = out.toByteArray();
        WireReader in = WireReader.of(all);
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        for (WireChunk expected : chunks) {
            WireChunk got = ChunkCodec.read(in);
            assertThat(got).isEqualTo(expected);
            ChunkCodec.write(got, again);
        }
        assertThat(in.atEnd()).isTrue();
        assertThat(again.toByteArray()).isEqualTo(all);
    }

    @Test
    void multiByteFlagsAreReadAsQemuFramesThem() throws ChunkFormatException {
        WireChunk two = ChunkCodec.decode(new byte[] {(byte) 0x80, 0x28, 3, 'a', 'b', 'c'});
        assertThat(two.flagsWidth()).isEqualTo(2);
        assertThat(two.flags()).isEqualTo(0x8028);
        assertThat(two.kind()).isEqualTo(WireChunk.Kind.COMPLETE);
        assertThat(two.nodeAlias()).isEqualTo("abc");
        WireChunk four = ChunkCodec.decode(new byte[] {(byte) 0x80, (byte) 0x80, 0x00, 0x01});
        assertThat(four.flagsWidth()).isEqualTo(4);
        assertThat(four.flags()).isEqualTo(0x8080_0001L);
        assertThat(four.kind()).isEqualTo(WireChunk.Kind.EOS);
    }

    @Test
    void garbageFlagsAreRefusedAtTheChunkOffset() {
        byte[][] garbage = {
            {0x00}, {0x02}, {0x0c, 1, 'a', 1, 'b'}, {0x30}, {0x50}, {0x11}, {0x21},
            {(byte) 0x81, 0x01}, {(byte) 0x80, (byte) 0x80, 0x01, 0x01}, {(byte) 0x80, (byte) 0x80, 0x00,
                (byte) 0x81}, {(byte) 0xc0, 0x01},
        };
        for (byte[] g : garbage) {
            assertThatThrownBy(() -> ChunkCodec.decode(g)).as("%s", java.util.Arrays.toString(g))
                    .isInstanceOf(ChunkFormatException.class)
                    .satisfies(e -> assertThat(((ChunkFormatException) e).offset()).isZero());
        }
        assertThatThrownBy(() -> ChunkCodec.decode(new byte[] {0x28, 2, (byte) 0xc3, 0x28}))
                .isInstanceOf(ChunkFormatException.class).hasMessageContaining("node alias is not valid UTF-8");
        assertThatThrownBy(() -> ChunkCodec.decode(new byte[] {0x01, 0x01}))
                .isInstanceOf(ChunkFormatException.class).hasMessageContaining("1 bytes after the chunk");
    }

    @Test
    void randomBytesGiveOnlyFormatErrors() {
        Random rnd = new Random(7);
        int decodedSome = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] b = new byte[rnd.nextInt(64)];
            rnd.nextBytes(b);
            WireReader in = WireReader.of(b);
            try {
                while (!in.atEnd()) {
                    ChunkCodec.read(in);
                    decodedSome++;
                }
            } catch (ChunkFormatException e) {
                assertThat(e.offset()).isBetween(0L, (long) b.length);
            } catch (IOException | RuntimeException e) {
                fail("random input threw " + e);
            }
        }
        assertThat(decodedSome).isPositive();
    }

    @Test
    void oversizeBufferIsRefusedBeforeReadingOrAllocating() throws IOException {
        for (long size : new long[] {10241, Integer.MAX_VALUE, 1L << 62, -1L}) {
            byte[] head = bitsHeader(size);
            // The header, then an endless supply of bytes: reading the announced buffer would never end.
            CountingStream stream = new CountingStream(head);
            WireReader in = new WireReader(stream, 100);
            assertThatThrownBy(() -> ChunkCodec.read(in)).isInstanceOf(ChunkFormatException.class)
                    .hasMessageContaining(ChunkCodec.BUFFER_TOO_BIG)
                    .satisfies(e -> assertThat(((ChunkFormatException) e).offset()).isEqualTo(100 + 13))
                    .satisfies(e -> assertThat(((ChunkFormatException) e).chunkOffset()).isEqualTo(100));
            assertThat(stream.served).as("bytes pulled (one look-ahead buffer at most)").isLessThanOrEqualTo(64 * 1024);
        }
        byte[] max = bitsHeader(10240);
        byte[] ok = java.util.Arrays.copyOf(max, max.length + 10240);
        assertThat(ChunkCodec.decode(ok).buffer()).hasSize(10240);
    }

    @Test
    void missingNamesRaiseQemusErrorAndLeaveTheDecoderUsable() throws IOException {
        ChunkEncoder enc = new ChunkEncoder();
        byte[] start = enc.encode(Chunk.Start.of("disk0", "b", org.dbmstream.bitmap.Granularity.of(65536), true,
                false, -1));
        byte[] namelessBits = {0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8};
        ByteArrayOutputStream seq = new ByteArrayOutputStream();
        seq.write(namelessBits);
        seq.write(start);
        WireReader in = WireReader.of(seq.toByteArray());
        ChunkNames names = new ChunkNames();
        WireChunk first = ChunkCodec.read(in);
        assertThatThrownBy(() -> names.resolve(first, 0)).isInstanceOf(MissingNameException.class)
                .hasMessageStartingWith("Error: block device name is not set");
        WireChunk second = ChunkCodec.read(in);
        assertThat(names.resolve(second, 13)).isEqualTo(new Chunk.Start("disk0", "b",
                org.dbmstream.bitmap.Granularity.of(65536), 1, -1));
        assertThat(names.resolve(first, 0)).isEqualTo(new Chunk.Bits("disk0", "b", 0, 8, null));
    }

    @Test
    void encoderSendsNamesOnlyOnChangeAndNeverOnEos() {
        ChunkEncoder enc = new ChunkEncoder();
        var g = org.dbmstream.bitmap.Granularity.of(4096);
        assertThat(enc.toWire(Chunk.Start.of("n1", "a", g, true, true, -1)).flags()).isEqualTo(0x1c);
        assertThat(enc.toWire(Chunk.Start.of("n1", "b", g, true, true, -1)).flags()).isEqualTo(0x14);
        assertThat(enc.toWire(Chunk.EndOfStream.empty()).flags()).isEqualTo(0x01);
        assertThat(enc.toWire(new Chunk.Bits("n1", "b", 0, 8, null)).flags()).isEqualTo(0x42);
        // Same bitmap name on another node is another bitmap: both names again.
        assertThat(enc.toWire(new Chunk.Complete("n2", "b")).flags()).isEqualTo(0x2c);
        assertThat(enc.toWire(new Chunk.Complete("n2", "b")).flags()).isEqualTo(0x20);
    }

    private static byte[] bitsHeader(long bufferSize) {
        byte[] b = new byte[21];
        b[0] = 0x40;
        b[12] = 8;
        for (int i = 0; i < 8; i++) {
            b[13 + i] = (byte) (bufferSize >>> (56 - 8 * i));
        }
        return b;
    }

    private static WireChunk chunk(int width, int low, String node, String bitmap, long gran, int bflags,
            long first, long sectors, byte[] buf) {
        long flags = switch (width) {
            case 1 -> low;
            case 2 -> 0x8000 | low;
            default -> 0x8080_0000L | low;
        };
        return new WireChunk(flags, width, node, bitmap, gran, bflags, first, sectors, buf);
    }

    /** A name of exactly {@code bytes} UTF-8 bytes, multi-byte characters included. */
    private static String name(Random rnd, int bytes) {
        StringBuilder s = new StringBuilder();
        int used = 0;
        while (used < bytes) {
            char c = ALPHA.charAt(rnd.nextInt(ALPHA.length()));
            int n = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (used + n > bytes) {
                c = 'x';
                n = 1;
            }
            s.append(c);
            used += n;
        }
        return s.toString();
    }

    /** {@code head}, then zeros without end; counts the bytes handed out. */
    private static final class CountingStream extends InputStream {
        private final byte[] head;
        long served;

        CountingStream(byte[] head) {
            this.head = head;
        }

        @Override
        public int read() {
            int r = served < head.length ? head[(int) served] & 0xff : 0;
            served++;
            return r;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                b[off + i] = (byte) read();
            }
            return len;
        }
    }
}
