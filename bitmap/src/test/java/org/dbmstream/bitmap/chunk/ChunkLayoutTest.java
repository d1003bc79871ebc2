package org.dbmstream.bitmap.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;
import org.junit.jupiter.api.Test;

/** Chunk geometry on sizes too large to hold: counted from the layout, payloads only sampled. */
class ChunkLayoutTest {
    private static final long TIB = 1L << 40;

    /** A 1 TiB-sized bitmap made up on the fly: bit k is set iff k % 1_000_003 == 0. Holds no bits. */
    private static final class SparsePattern implements SerializedBitmap {
        private final long diskSize;
        private final Granularity granularity;

        SparsePattern(long diskSize, Granularity granularity) {
            this.diskSize = diskSize;
            this.granularity = granularity;
        }

        static boolean isSet(long bit) {
            return bit % 1_000_003 == 0;
        }

        @Override
        public long diskSize() {
            return diskSize;
        }

        @Override
        public Granularity granularity() {
            return granularity;
        }

        @Override
        public void serializeInto(long firstBit, long bits, byte[] dst, int offset) {
            int len = (int) DirtyBitmap.serializationSize(firstBit, bits);
            for (int j = 0; j < len * 8; j++) {
                long bit = firstBit + j;
                dst[offset + j / 8] |= (byte) ((bit < bitCount() && isSet(bit) ? 1 : 0) << (j % 8));
            }
        }
    }

    @Test
    void oneTebibyteAt512BytesIs262144FullChunksOf1KiB() {
        ChunkLayout layout = new ChunkLayout(TIB, Granularity.of(512));
        assertThat(layout.totalSectors()).isEqualTo(1L << 31);
        assertThat(layout.chunkCount()).isEqualTo(262144);
        long sectors = 0;
        for (long i = 0; i < layout.chunkCount(); i++) {
            assertThat(layout.sectors(i)).isEqualTo(8192);
            assertThat(layout.bufferSize(i)).isEqualTo(1024);
            assertThat(layout.firstBit(i)).isEqualTo(i * 8192);
            sectors += layout.sectors(i);
        }
        assertThat(sectors).isEqualTo(layout.totalSectors());
        assertThat(layout.remainingBits(0)).isEqualTo(1L << 31);
    }

    @Test
    void oneTebibyteAt512BytesSampledPayloads() {
        BitmapChunker chunker = new BitmapChunker(new SparsePattern(TIB, Granularity.of(512)), "n", "b");
        for (long i : new long[] {0, 1, 122, 123, 131072, 262143}) {
            Chunk.Bits c = chunker.chunk(i);
            assertThat(c.firstSector()).isEqualTo(i * 8192);
            assertThat(c.sectors()).isEqualTo(8192);
            long firstBit = i * 8192;
            boolean any = false;
            byte[] want = new byte[1024];
            for (int j = 0; j < 8192; j++) {
                if (SparsePattern.isSet(firstBit + j)) {
                    want[j / 8] |= (byte) (1 << (j % 8));
                    any = true;
                }
            }
            if (any) {
                assertThat(c.payload()).as("chunk %d", i).isEqualTo(want);
            } else {
                assertThat(c.zeroes()).as("chunk %d", i).isTrue();
            }
        }
        assertThat(chunker.chunk(0).zeroes()).isFalse();
        assertThat(chunker.chunk(1).zeroes()).isTrue();
    }

    @Test
    void twoGibibyteGranularity() {
        Granularity g = Granularity.of(1L << 31);
        ChunkLayout oneTib = new ChunkLayout(TIB, g);
        assertThat(oneTib.chunkCount()).isEqualTo(1);
        assertThat(oneTib.sectors(0)).isEqualTo(1L << 31);
        assertThat(oneTib.bits(0)).isEqualTo(512);
        assertThat(oneTib.bufferSize(0)).isEqualTo(64);

        DirtyBitmap small = new DirtyBitmap((3L << 30) + 1, g);
        small.markDirty(3L << 30, 1);
        BitmapChunker chunker = new BitmapChunker(small, "n", "b");
        assertThat(chunker.stream().toList())
                .containsExactly(new Chunk.Bits("n", "b", 0, 6291457, pad(new byte[] {2}, 32)));
        assertThat(small.count()).isEqualTo(1L << 31);
    }

    @Test
    void chunksOverTwoTebibytesAtHugeGranularityStayWithinTheBe32SectorCount() {
        // QEMU's uint32_t nr_sectors would truncate 2^35 to 0 here; chunks are capped at 2^31 sectors.
        ChunkLayout l = new ChunkLayout(16 * TIB, Granularity.of(1L << 31));
        assertThat(l.sectorsPerChunk()).isEqualTo(ChunkLayout.MAX_CHUNK_SECTORS);
        assertThat(l.chunkCount()).isEqualTo(16);
        for (long i = 0; i < 16; i++) {
            assertThat(l.sectors(i)).isEqualTo(1L << 31);
            assertThat(l.firstBit(i) % 64).isZero();
            assertThat(l.bits(i)).isEqualTo(512);
        }
        ChunkLayout l256 = new ChunkLayout(3 * TIB + 512, Granularity.of(256L << 20));
        assertThat(l256.sectorsPerChunk()).isEqualTo(1L << 31);
        assertThat(l256.chunkCount()).isEqualTo(4);
        assertThat(l256.sectors(3)).isEqualTo(1);
        assertThat(l256.bits(3)).isEqualTo(1);
        assertThat(l256.firstBit(3)).isEqualTo(3 * 4096);
    }

    @Test
    void pendingIsRemainingSectorsRoundedUpToGranules() {
        ChunkLayout l = new ChunkLayout(1000, Granularity.of(65536));
        assertThat(l.totalSectors()).isEqualTo(2);
        assertThat(l.remainingBits(0)).isEqualTo(1);
        assertThat(l.remainingBits(2)).isZero();
    }

    private static byte[] pad(byte[] b, int n) {
        byte[] out = new byte[n];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }
}
