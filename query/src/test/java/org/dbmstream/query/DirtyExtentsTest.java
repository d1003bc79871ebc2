package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DirtyExtentsTest {

    /** start, length, dirty of each extent. */
    private static List<String> extents(long g, long start, long end, long[] firstBits, byte[]... ranges) {
        List<String> out = new ArrayList<>();
        DirtyExtents e = new DirtyExtents(g, start, end, (s, l, d) -> out.add(s + "+" + l + (d ? " dirty" : " clean")));
        for (int i = 0; i < ranges.length; i++) {
            e.range(firstBits[i], ranges[i]);
        }
        e.finish();
        return out;
    }

    @Test
    void runsAreMergedAcrossRangesAndGapsAndClippedToTheWindow() {
        byte[] r0 = new byte[16];
        r0[0] = (byte) 0b0000_0110; // bits 1, 2
        r0[15] = (byte) 0x80; // bit 127
        byte[] r1 = new byte[8];
        r1[0] = 1; // bit 128: continues bit 127's run
        assertThat(extents(512, 0, 512 * 200, new long[] {0, 128}, r0, r1)).containsExactly(
                "0+512 clean", "512+1024 dirty", "1536+63488 clean", "65024+1024 dirty", "66048+36352 clean");
        // an unaligned window inside the runs
        assertThat(extents(512, 700, 65100, new long[] {0, 128}, r0, r1)).containsExactly(
                "700+836 dirty", "1536+63488 clean", "65024+76 dirty");
        // a disk whose size is not a multiple of the granularity: the last bit covers the tail only
        byte[] all = {(byte) 0xff};
        assertThat(extents(4096, 0, 4096 * 2 + 100, new long[] {0}, all)).containsExactly("0+8292 dirty");
        assertThat(extents(4096, 0, 0, new long[] {0}, all)).isEmpty();
        assertThat(extents(4096, 0, 10000, new long[0])).containsExactly("0+10000 clean");
    }

    @Test
    void agreesWithABitByBitReadingOnRandomBitmaps() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            int bits = 1 + random.nextInt(4000);
            byte[] bitmap = new byte[(bits + 63) / 64 * 8];
            for (int k = 0; k < bits; k++) {
                if (random.nextInt(round % 3 + 2) == 0) {
                    bitmap[k / 8] |= (byte) (1 << (k % 8));
                }
            }
            long g = 512L << random.nextInt(4);
            long size = (bits - 1) * g + 1 + random.nextInt((int) g);
            long start = random.nextInt((int) size);
            long end = start + random.nextInt((int) (size - start) + 1);
            List<String> expected = new ArrayList<>();
            long runStart = start;
            for (long at = start; at < end; at++) {
                boolean d = dirty(bitmap, at / g);
                if (at + 1 == end || dirty(bitmap, (at + 1) / g) != d) {
                    expected.add(runStart + "+" + (at + 1 - runStart) + (d ? " dirty" : " clean"));
                    runStart = at + 1;
                }
            }
            // the same bitmap cut into 64-byte stored ranges, all-zero ones absent
            List<long[]> firsts = new ArrayList<>();
            List<byte[]> ranges = new ArrayList<>();
            for (int off = 0; off < bitmap.length; off += 64) {
                byte[] r = java.util.Arrays.copyOfRange(bitmap, off, Math.min(bitmap.length, off + 64));
                if (!java.util.Arrays.equals(r, new byte[r.length])) {
                    firsts.add(new long[] {off * 8L});
                    ranges.add(r);
                }
            }
            assertThat(extents(g, start, end, firsts.stream().mapToLong(f -> f[0]).toArray(),
                    ranges.toArray(byte[][]::new))).as("round %d", round).isEqualTo(expected);
        }
    }

    private static boolean dirty(byte[] bitmap, long bit) {
        return (bitmap[(int) (bit / 8)] >> (bit % 8) & 1) != 0;
    }

    @Test
    void aQuarterGibibyteBitmapStreamsInConstantMemory() {
        // 256 MiB of bitmap (2^31 bits at 512 B: a 1 TiB disk), every 1 KiB range half set
        long bits = 1L << 31;
        long g = 512;
        byte[] range = new byte[1024];
        java.util.Arrays.fill(range, 0, 512, (byte) 0xff);
        long[] count = new long[2];
        DirtyExtents e = new DirtyExtents(g, 0, bits * g, (s, l, d) -> count[d ? 1 : 0]++);
        CountingStream out = new CountingStream();
        RawBitmap raw = new RawBitmap(out, bits);
        for (long first = 0; first < bits; first += 8 * 1024) {
            if ((first / 8192) % 7 != 3) { // some ranges absent: zero
                e.range(first, range);
                raw.range(first, range);
            }
        }
        e.finish();
        raw.finish();
        assertThat(out.bytes).isEqualTo(256L << 20);
        assertThat(count[1]).isEqualTo(262144 - 262144 / 7 - (262144 % 7 > 3 ? 1 : 0));
        assertThat(count[0]).isEqualTo(count[1]);
    }

    @Test
    void rawBytesFillGapsWithZerosAndStopAtTheBitmapsEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RawBitmap raw = new RawBitmap(out, 8 * 20 + 3);
        raw.range(64, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        raw.range(128, new byte[] {9, 9, 9, 9, 9, 9, 9, 9});
        raw.finish();
        assertThat(out.toByteArray()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9);
    }

    private static final class CountingStream extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
