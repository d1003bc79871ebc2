package org.dbmstream.bitmap.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.QemuConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Wide chunks: cut from a bitmap they are QEMU's layout with proportionally more sectors, each a buffer QEMU
 * loads (at most 10 KiB), deserializing to the same bits; QEMU's own 1 KiB chunks joined by the
 * {@link ChunkCoalescer} are exactly the chunks cut that wide from the start, and chunks the coalescer must
 * not join pass unchanged.
 */
class WideChunksTest {
    private static final List<ChunkSize> WIDTHS = List.of(ChunkSize.parse("1K"), ChunkSize.parse("2K"),
            ChunkSize.parse("4K"), ChunkSize.parse("8K"));

    @Test
    void theOfferedSizesParseAndOthersAreRefusedNamingTheChoices() {
        assertThat(WIDTHS).extracting(ChunkSize::bytes).containsExactly(1024, 2048, 4096, 8192);
        assertThat(ChunkSize.parse("8k")).isEqualTo(ChunkSize.KAFKA_DEFAULT);
        assertThat(ChunkSize.parse("1024")).isEqualTo(ChunkSize.QEMU);
        assertThatThrownBy(() -> ChunkSize.parse("16K")).hasMessage("chunk size must be 1K, 2K, 4K or 8K (KiB of "
                + "bitmap per BITS chunk; QEMU loads buffers up to 10 KiB), got '16K'");
        assertThatThrownBy(() -> ChunkSize.parse("3K")).hasMessageContaining("got '3K'");
        // the type itself takes any whole KiB up to QEMU's 10 KiB buffer limit
        assertThat(new ChunkSize(10 * 1024).bits()).isEqualTo(81920);
        assertThatThrownBy(() -> new ChunkSize(11 * 1024)).hasMessageContaining("1 to 10 KiB");
        assertThatThrownBy(() -> new ChunkSize(1500)).hasMessageContaining("whole KiB");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8, 10})
    void wideChunksCoverTheBitmapAndDeserializeToIt(int kib) {
        ChunkSize width = new ChunkSize(kib * 1024);
        Random random = new Random(kib);
        for (long g : new long[] {512, 4096, 65536, 1L << 20}) {
            for (long size : new long[] {1L << 30, (1L << 30) + 12345, 3 * g, 0}) {
                DirtyBitmap bits = random(size, g, random);
                DirtyBitmap loaded = new DirtyBitmap(size, Granularity.of(g));
                BitmapChunker chunker = new BitmapChunker(bits, "n", "b", width);
                long nextSector = 0;
                for (Chunk.Bits c : chunker) {
                    assertThat(c.firstSector()).isEqualTo(nextSector);
                    nextSector += c.sectors();
                    long firstBit = (c.firstSector() << 9) / g;
                    long count = c.sectors() == 0 ? 0 : ((c.firstSector() + c.sectors()) * 512 - 1) / g - firstBit + 1;
                    assertThat(firstBit % 64).isZero();
                    if (!c.zeroes()) {
                        assertThat(c.payload().length).isLessThanOrEqualTo(Math.min(width.bytes(),
                                QemuConstants.MAX_BUFFER_SIZE)).isEqualTo(QemuConstants.alignUp(
                                        DirtyBitmap.serializationSize(firstBit, count), QemuConstants.BUFFER_ALIGN));
                        loaded.deserialize(firstBit, count, c.payload());
                    }
                }
                assertThat(nextSector).isEqualTo((size + 511) / 512);
                assertThat(loaded.sha256()).isEqualTo(bits.sha256());
                ChunkLayout qemu = new ChunkLayout(size, Granularity.of(g));
                assertThat(chunker.chunkCount()).isEqualTo(Math.max(1, (qemu.chunkCount() + kib - 1) / kib));
            }
        }
    }

    @Test
    void qemusChunksJoinedAreTheChunksCutWideFromTheStart() {
        Random random = new Random(21);
        for (ChunkSize width : WIDTHS) {
            for (long g : new long[] {512, 65536}) {
                for (long size : new long[] {256L << 20, (256L << 20) + 7 * 512, 100 * g}) {
                    DirtyBitmap a = random(size, g, random);
                    DirtyBitmap b = random(size, g, random);
                    List<MigrationBitmap> two = List.of(new MigrationBitmap("n", "a", true, false, a),
                            new MigrationBitmap("n", "b", false, true, b));
                    assertThat(ChunkCoalescer.join(chunks(two, ChunkSize.QEMU), width)).as("%s g=%d size=%d", width, g, size)
                            .isEqualTo(chunks(two, width));
                }
            }
        }
    }

    @Test
    void chunksQemuNeverCutsPassUnchanged() {
        ChunkCoalescer c = new ChunkCoalescer(ChunkSize.KAFKA_DEFAULT);
        List<Chunk> in = new ArrayList<>();
        in.add(Chunk.Start.of("n", "b", Granularity.of(512), false, false, 64L << 20));
        in.add(new Chunk.Bits("n", "b", 0, 8192, new byte[1024]));
        // a gap: the next range does not start where the last ended
        in.add(new Chunk.Bits("n", "b", 16384, 8192, new byte[1024]));
        // an oversized buffer: the loader must see it as sent and refuse it with QEMU's message
        in.add(new Chunk.Bits("n", "b", 24576, 8192, new byte[QemuConstants.MAX_BUFFER_SIZE + 1]));
        // a bitmap never STARTed: its granularity is unknown
        in.add(new Chunk.Bits("n", "x", 0, 8192, new byte[1024]));
        List<Chunk> out = new ArrayList<>();
        in.forEach(chunk -> out.addAll(c.accept(chunk)));
        out.addAll(c.finish());
        assertThat(out).isEqualTo(in);
    }

    @Test
    void anEndOfStreamBetweenTwoChunksKeepsThemApart() {
        ChunkCoalescer c = new ChunkCoalescer(ChunkSize.KAFKA_DEFAULT);
        List<Chunk> out = new ArrayList<>();
        out.addAll(c.accept(Chunk.Start.of("n", "b", Granularity.of(512), false, false, 64L << 20)));
        out.addAll(c.accept(new Chunk.Bits("n", "b", 0, 8192, null)));
        out.addAll(c.accept(Chunk.EndOfStream.empty()));
        out.addAll(c.accept(new Chunk.Bits("n", "b", 8192, 8192, null)));
        out.addAll(c.accept(new Chunk.Bits("n", "b", 16384, 8192, null)));
        out.addAll(c.finish());
        assertThat(out).hasSize(4).element(3).isEqualTo(new Chunk.Bits("n", "b", 8192, 16384, null));
    }

    private static List<Chunk> chunks(List<MigrationBitmap> bitmaps, ChunkSize width) {
        List<Chunk> out = new ArrayList<>();
        MigrationSequencer seq = new MigrationSequencer(bitmaps, width);
        seq.setup(out::add);
        seq.complete(out::add);
        return out;
    }


    /** Runs of set and clear bits, and whole zero stretches, so that ZEROES and data chunks mix. */
    private static DirtyBitmap random(long size, long g, Random random) {
        DirtyBitmap bits = new DirtyBitmap(size, Granularity.of(g));
        long n = bits.bitCount();
        for (int i = 0; i < 200 && n > 0; i++) {
            long first = (long) (random.nextDouble() * n);
            bits.setRange(first, Math.min(n - first, 1 + random.nextInt(20000)), true);
        }
        return bits;
    }
}
