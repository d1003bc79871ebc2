package org.dbmstream.codec.savevm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkEncoder;
import org.junit.jupiter.api.Test;

/**
 * Container constructs QEMU's machine-less test streams do not contain (RAM pages, configuration
 * subsections, a device whose vmstate contains a footer-like byte run), framed as the README
 * describes QEMU's format.
 */
class SyntheticStreamTest {
    private static final int PAGE_BITS = 13;

    @Test
    void bitmapChunksAreFoundBehindRamPagesAndDeviceState() throws IOException {
        List<byte[]> sent = new ArrayList<>();
        byte[] stream = stream(sent, RamSection.PAGE);
        for (byte[] s : List.of(stream, gzip(stream))) {
            try (SavevmReader r = SavevmReader.of(new ByteArrayInputStream(s), 4096)) {
                List<byte[]> got = new ArrayList<>();
                for (SavevmChunk c = r.next(); c != null; c = r.next()) {
                    got.add(Arrays.copyOfRange(stream, (int) c.offset(), (int) c.offset() + c.length()));
                }
                assertThat(got).containsExactlyElementsOf(sent);
                assertThat(r.sections()).extracting(Section::name)
                        .containsExactly("ram", "dirty-bitmap", "pci-dev", "ram", "dirty-bitmap");
                assertThat(r.sections()).extracting(Section::type).containsExactly(Section.Type.START,
                        Section.Type.START, Section.Type.FULL, Section.Type.END, Section.Type.END);
                assertThat(r.vmDescription()).isEqualTo("{}");
            }
        }
    }

    @Test
    void unsupportedRamFlagsAreReportedAtTheirWord() throws IOException {
        byte[] stream = stream(new ArrayList<>(), RamSection.HOOK);
        assertThatThrownBy(() -> SavevmReader.readAll(write(stream))).isInstanceOf(SavevmFormatException.class)
                .hasMessageContaining("RDMA hook");
    }

    private static java.nio.file.Path write(byte[] b) throws IOException {
        java.nio.file.Path p = java.nio.file.Files.createTempFile("synthetic", ".stream");
        p.toFile().deleteOnExit();
        java.nio.file.Files.write(p, b);
        return p;
    }

    /** A stream whose second RAM section carries a page with {@code pageFlag} (PAGE or an unsupported one). */
    private static byte[] stream(List<byte[]> sent, int pageFlag) throws IOException {
        int page = 1 << PAGE_BITS;
        Out o = new Out();
        o.be32(SavevmReader.MAGIC).be32(3);
        o.u8(0x07).be32(2).raw("pc".getBytes(StandardCharsets.US_ASCII));
        o.u8(0x05).str("configuration/target-page-bits").be32(1).be32(PAGE_BITS);
        o.u8(0x05).str("configuration/capabilities").be32(1).be32(2).str("dirty-bitmaps").str("x-colo");
        o.u8(0x08).be16(1).be16(0);
        // ram START: two blocks, a page, a zero page, a continued page
        o.u8(0x01).be32(2).str("ram").be32(0).be32(4);
        o.be64((3L * page) | RamSection.MEM_SIZE).str("pc.ram").be64(2L * page).str("vga.vram").be64(page);
        byte[] data = new byte[page];
        Arrays.fill(data, (byte) 0x7e);
        o.be64(RamSection.PAGE).str("pc.ram").raw(data);
        o.be64(page | RamSection.ZERO | RamSection.CONTINUE).u8(0);
        o.be64(RamSection.EOS).u8(0x7e).be32(2);
        // dirty-bitmap START
        ChunkEncoder enc = new ChunkEncoder();
        o.u8(0x01).be32(3).str("dirty-bitmap").be32(0).be32(1);
        chunk(o, sent, enc.encode(Chunk.Start.of("disk0", "b", Granularity.of(65536), true, true, -1)));
        chunk(o, sent, enc.encode(Chunk.EndOfStream.empty()));
        o.u8(0x7e).be32(3);
        // a device whose state contains the footer pattern followed by a byte that is no section type
        o.u8(0x04).be32(7).str("pci-dev").be32(0).be32(1);
        o.raw(new byte[] {1, 2, 0x7e, 0, 0, 0, 7, (byte) 0xee, 0x7e, 0, 0, 0}).u8(0x7e).be32(7);
        // ram END with a page, then dirty-bitmap END
        o.u8(0x03).be32(2);
        o.be64(2L * page | pageFlag).str("vga.vram").raw(data);
        o.be64(RamSection.EOS).u8(0x7e).be32(2);
        o.u8(0x03).be32(3);
        byte[] bits = new byte[32];
        bits[0] = 1;
        chunk(o, sent, enc.encode(new Chunk.Bits("disk0", "b", 0, 4096, bits)));
        chunk(o, sent, enc.encode(new Chunk.Complete("disk0", "b")));
        chunk(o, sent, enc.encode(Chunk.EndOfStream.empty()));
        o.u8(0x7e).be32(3);
        o.u8(0x00).u8(0x06).be32(2).raw("{}".getBytes(StandardCharsets.US_ASCII));
        return o.b.toByteArray();
    }

    private static void chunk(Out o, List<byte[]> sent, byte[] chunk) {
        sent.add(chunk);
        o.raw(chunk);
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    /** Big-endian writer for building streams. */
    private static final class Out {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Out u8(int v) {
            b.write(v);
            return this;
        }

        Out be16(int v) {
            return u8(v >>> 8).u8(v & 0xff);
        }

        Out be32(long v) {
            return be16((int) (v >>> 16) & 0xffff).be16((int) v & 0xffff);
        }

        Out be64(long v) {
            return be32(v >>> 32).be32(v & 0xffffffffL);
        }

        Out str(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            return u8(bytes.length).raw(bytes);
        }

        Out raw(byte[] bytes) {
            b.writeBytes(bytes);
            return this;
        }
    }
}
