package org.dbmstream.codec.savevm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkFormatException;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.GoldenChunks;
import org.dbmstream.codec.TestData;
import org.dbmstream.codec.WireChunk;
import org.junit.jupiter.api.Test;

/** The savevm container reader against QEMU's own streams and its decoded chunk list. */
class SavevmReaderTest {
    private final GoldenChunks golden = GoldenChunks.load();

    @Test
    void minimalStreamDecodesToQemusChunksWithOffsets() throws IOException {
        List<SavevmChunk> chunks = SavevmReader.readAll(TestData.file("streams/mig1-min.stream"));
        assertMatchesGolden(chunks, true);
    }

    @Test
    void gzipStreamWithEmptyIterationsDecodesToTheSameChunks() throws IOException {
        List<SavevmChunk> all = SavevmReader.readAll(TestData.file("streams/mig1.stream.gz"));
        // The full stream repeats the iteration (a PART section holding only EOS) many times; the
        // minimal stream keeps one of them.
        List<SavevmChunk> parts = all.stream().filter(c -> c.section() == Section.Type.PART).toList();
        assertThat(parts).hasSizeGreaterThan(1)
                .allSatisfy(c -> assertThat(c.wire().kind()).isEqualTo(WireChunk.Kind.EOS));
        List<SavevmChunk> chunks = new ArrayList<>(all.stream().filter(c -> c.section() != Section.Type.PART).toList());
        chunks.add(golden.chunks.indexOf(golden.chunks.stream().filter(g -> g.section().equals("PART")).findFirst()
                .orElseThrow()), parts.get(0));
        assertMatchesGolden(chunks, false);
    }

    @Test
    void sectionHeadersAndVmDescriptionAreRead() throws IOException {
        try (SavevmReader r = SavevmReader.of(new ByteArrayInputStream(TestData.bytes("streams/mig1-min.stream")),
                4096)) {
            while (r.next() != null) {
                // drain
            }
            List<Section> starts = r.sections().stream()
                    .filter(s -> s.type() == Section.Type.START || s.type() == Section.Type.FULL).toList();
            assertThat(starts).hasSize(golden.sections.size());
            for (int i = 0; i < starts.size(); i++) {
                GoldenChunks.SectionLine g = golden.sections.get(i);
                Section s = starts.get(i);
                assertThat(s.offset()).isEqualTo(g.offset());
                assertThat("SECTION_" + s.type()).isEqualTo(g.type());
                assertThat(List.of(s.id(), s.instance(), s.version())).containsExactly(g.id(), g.instance(),
                        g.version());
                assertThat(s.name()).isEqualTo(g.name());
            }
            assertThat(r.vmDescription()).startsWith("{\"page_size\": 4096").contains("\"globalstate\"")
                    .endsWith("}");
        }
    }

    @Test
    void badMagicAndVersionAreRefusedWithOffsets() {
        byte[] stream = TestData.bytes("streams/mig1-min.stream");
        byte[] badMagic = stream.clone();
        badMagic[1] = 'X';
        assertThatThrownBy(() -> read(badMagic)).isInstanceOf(SavevmFormatException.class)
                .hasMessageContaining("magic").extracting(e -> ((SavevmFormatException) e).offset()).isEqualTo(0L);
        byte[] badVersion = stream.clone();
        badVersion[7] = 2;
        assertThatThrownBy(() -> read(badVersion)).isInstanceOf(SavevmFormatException.class)
                .hasMessageContaining("version 2").extracting(e -> ((SavevmFormatException) e).offset())
                .isEqualTo(4L);
    }

    @Test
    void truncationAtEveryByteFailsAtThatOffset() {
        byte[] stream = TestData.bytes("streams/mig1-min.stream");
        int eofMarkerEnd = indexOfVmDescription(stream);
        for (int p = 0; p < stream.length; p++) {
            byte[] cut = Arrays.copyOf(stream, p);
            if (p == eofMarkerEnd) {
                continue; // QEMU_VM_EOF without the optional VM description is a complete stream
            }
            try {
                read(cut);
                fail("stream cut at " + p + " was accepted");
            } catch (SavevmFormatException e) {
                assertThat(e.offset()).as("cut at %d: %s", p, e.getMessage()).isEqualTo(p);
            } catch (ChunkFormatException e) {
                assertThat(e.offset()).as("cut at %d: %s", p, e.getMessage()).isEqualTo(p);
            } catch (IOException | RuntimeException e) {
                fail("cut at " + p + " threw " + e);
            }
        }
    }

    @Test
    void cutOrDamagedGzipGivesAFormatError() throws IOException {
        byte[] gz = java.nio.file.Files.readAllBytes(TestData.file("streams/mig1.stream.gz"));
        for (int p : new int[] {1, 5, 20, gz.length / 3, gz.length / 2, gz.length - 9}) {
            assertThatThrownBy(() -> read(Arrays.copyOf(gz, p))).as("gzip cut at %d", p)
                    .isInstanceOf(SavevmFormatException.class);
        }
        byte[] damaged = gz.clone();
        for (int i = 40; i < 80; i++) {
            damaged[i] ^= 0x5a;
        }
        assertThatThrownBy(() -> read(damaged)).isInstanceOf(SavevmFormatException.class);
    }

    @Test
    void missingFooterIsReported() {
        byte[] stream = TestData.bytes("streams/mig1-min.stream");
        byte[] broken = stream.clone();
        broken[0xaa + 1] = 0x7d; // footer byte after the dirty-bitmap START section's EOS
        assertThatThrownBy(() -> read(broken)).isInstanceOf(SavevmFormatException.class)
                .hasMessageContaining("missing section footer for 'dirty-bitmap'")
                .extracting(e -> ((SavevmFormatException) e).offset()).isEqualTo(0xabL);
    }

    private void assertMatchesGolden(List<SavevmChunk> chunks, boolean offsets) throws IOException {
        assertThat(chunks).hasSize(golden.chunks.size());
        ChunkNames names = new ChunkNames();
        for (int i = 0; i < chunks.size(); i++) {
            SavevmChunk c = chunks.get(i);
            GoldenChunks.Line g = golden.chunks.get(i);
            WireChunk w = c.wire();
            Chunk chunk = names.resolve(w, c.offset());
            if (offsets) {
                assertThat(c.offset()).as("chunk %d", i).isEqualTo(g.offset());
            }
            assertThat(c.section().name()).as("chunk %d", i).isEqualTo(g.section());
            assertThat(w.flags()).as("chunk %d", i).isEqualTo(g.flags());
            assertThat(w.flagsWidth()).isEqualTo(1);
            switch (w.kind()) {
                case START -> {
                    Chunk.Start s = (Chunk.Start) chunk;
                    assertThat(List.of(s.nodeAlias(), s.bitmapAlias())).containsExactly(g.dev(), g.bm());
                    assertThat(s.granularity().bytes()).isEqualTo(g.gran());
                    assertThat(s.flags()).isEqualTo(g.bflags());
                }
                case BITS -> {
                    Chunk.Bits b = (Chunk.Bits) chunk;
                    assertThat(List.of(b.nodeAlias(), b.bitmapAlias())).containsExactly(g.dev(), g.bm());
                    assertThat(b.firstSector()).isEqualTo(g.startSector());
                    assertThat(b.sectors()).isEqualTo(g.nrSectors());
                    assertThat(b.zeroes() ? -1 : b.payload().length).isEqualTo(g.bufSize());
                }
                case COMPLETE -> assertThat(List.of(((Chunk.Complete) chunk).nodeAlias(),
                        ((Chunk.Complete) chunk).bitmapAlias())).containsExactly(g.dev(), g.bm());
                case EOS -> assertThat(chunk).isEqualTo(Chunk.EndOfStream.empty());
            }
        }
    }

    private static List<SavevmChunk> read(byte[] stream) throws IOException {
        List<SavevmChunk> out = new ArrayList<>();
        try (SavevmReader r = SavevmReader.of(new ByteArrayInputStream(stream), 4096)) {
            for (SavevmChunk c = r.next(); c != null; c = r.next()) {
                out.add(c);
            }
        }
        return out;
    }

    /** Offset just past the QEMU_VM_EOF byte: where the 0x06 VM description marker sits. */
    private static int indexOfVmDescription(byte[] stream) {
        for (int i = stream.length - 6; i >= 0; i--) {
            if (stream[i] == 0x06 && i > 0 && stream[i - 1] == 0) {
                long len = (stream[i + 1] & 0xffL) << 24 | (stream[i + 2] & 0xff) << 16 | (stream[i + 3] & 0xff) << 8
                        | stream[i + 4] & 0xff;
                if (i + 5 + len == stream.length) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("no VM description");
    }
}
