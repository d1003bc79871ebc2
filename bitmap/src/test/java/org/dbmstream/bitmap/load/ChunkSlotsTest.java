package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.junit.jupiter.api.Test;

/**
 * Per-chunk storage against the whole in-memory bitmap: any sequence of word-aligned BITS and ZEROES
 * ranges, over and across chunk boundaries, gives the same bytes, sha256 and count.
 */
class ChunkSlotsTest {
    private static final BitmapKey KEY = new BitmapKey("m", "n", "b");

    @Test
    void randomRangesMatchTheWholeBitmap() {
        Random random = new Random(300);
        for (long bitCount : new long[] {64 * 1024 + 37, 8192, 100, 3 * 8192 + 64}) {
            Granularity g = Granularity.of(4096);
            DirtyBitmap whole = new DirtyBitmap(bitCount * g.bytes(), g);
            InMemoryLoadStore store = new InMemoryLoadStore();
            for (int i = 0; i < 200; i++) {
                long firstBit = (random.nextLong(bitCount) >>> 6) << 6;
                long max = bitCount - firstBit;
                long bits = 1 + random.nextLong(Math.min(max, 30_000));
                if (firstBit + bits != bitCount) {
                    bits = Math.max(64, bits >>> 6 << 6);
                    bits = Math.min(bits, max);
                }
                boolean zeroes = random.nextInt(4) == 0;
                byte[] buf = new byte[(int) DirtyBitmap.serializationSize(firstBit, bits)];
                if (!zeroes) {
                    random.nextBytes(buf);
                    whole.deserialize(firstBit, bits, buf);
                } else {
                    whole.deserialize(firstBit, bits, new byte[buf.length]);
                }
                ChunkSlots.write(store, KEY, bitCount, firstBit, bits, zeroes ? null : buf);
            }
            BitmapDigest.Result expected = whole.digest();
            assertThat(ChunkSlots.digest(store, KEY, g, bitCount)).as("%d bits", bitCount).isEqualTo(expected);
            store.forEachChunk(KEY, (index, bytes) -> {
                long from = index * ChunkSlots.SLOT_BYTES * 8;
                long n = Math.min(ChunkSlots.SLOT_BYTES * 8L, bitCount - from);
                assertThat(bytes).isEqualTo(whole.serialize(from, n));
            });
        }
    }

    @Test
    void allZeroChunksAreNotStored() {
        Granularity g = Granularity.of(512);
        long bitCount = 4 * 8192;
        InMemoryLoadStore store = new InMemoryLoadStore();
        byte[] ones = new byte[1024];
        java.util.Arrays.fill(ones, (byte) 0xff);
        ChunkSlots.write(store, KEY, bitCount, 8192, 8192, ones);
        ChunkSlots.write(store, KEY, bitCount, 0, 8192, new byte[1024]);
        assertThat(store.storedChunks(KEY)).isEqualTo(1);
        ChunkSlots.write(store, KEY, bitCount, 8192, 8192, null);
        assertThat(store.storedChunks(KEY)).isZero();
        BitmapDigest.Result empty = new DirtyBitmap(bitCount * 512, g).digest();
        assertThat(ChunkSlots.digest(store, KEY, g, bitCount)).isEqualTo(empty);
    }

    @Test
    void tailBitsPastTheEndAreDropped() {
        Granularity g = Granularity.of(65536);
        long bitCount = 100;
        InMemoryLoadStore store = new InMemoryLoadStore();
        byte[] ones = new byte[16];
        java.util.Arrays.fill(ones, (byte) 0xff);
        ChunkSlots.write(store, KEY, bitCount, 0, bitCount, ones);
        BitmapDigest.Result result = ChunkSlots.digest(store, KEY, g, bitCount);
        DirtyBitmap whole = new DirtyBitmap(bitCount * g.bytes(), g);
        whole.setRange(0, bitCount, true);
        assertThat(result).isEqualTo(whole.digest());
        assertThat(result.count()).isEqualTo(100 * 65536);
    }

    @Test
    void unknownSizeDigestsUpToTheHighestBitReceived() {
        Granularity g = Granularity.of(65536);
        InMemoryLoadStore store = new InMemoryLoadStore();
        byte[] word = {1, 0, 0, 0, 0, 0, 0, (byte) 0x80};
        ChunkSlots.write(store, KEY, -1, 8192 * 2, 64, word);
        DirtyBitmap whole = new DirtyBitmap((8192 * 2 + 64) * g.bytes(), g);
        whole.deserialize(8192 * 2, 64, word);
        assertThat(ChunkSlots.digest(store, KEY, g, 8192 * 2 + 64)).isEqualTo(whole.digest());
    }
}
