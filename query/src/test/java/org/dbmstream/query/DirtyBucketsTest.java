package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;

/**
 * The buckets of {@code ?buckets=N} against QEMU's own dirty ranges (NBD, testdata): every bucket's dirty bytes are
 * the bytes its range shares with QEMU's ranges, whatever the window, N, granularity or a disk size that is no
 * multiple of the granularity.
 */
class DirtyBucketsTest {
    private static final long GIB = 1L << 30;

    @Test
    void img1sBitmapsInBucketsAreQemusRangesSummed() {
        for (QemuTestData.NbdDirty b : nbd(QemuTestData.dir().resolve("expected/img1.nbd.txt"))) {
            for (int n : new int[] {1, 7, 256, 1000, 4096}) {
                check(b, GIB, 0, GIB, n);
            }
        }
    }

    @Test
    void theLastBucketIsShorterWhenTheBitsDoNotDivideEvenly() {
        QemuTestData.NbdDirty b4k = byName(QemuTestData.dir().resolve("expected/img1.nbd.txt"), "b4k");
        // 262144 bits in 1000 buckets: 263 bits each, 997 buckets, the last of 262144 - 996 * 263 = 196 bits
        DirtyBuckets buckets = check(b4k, GIB, 0, GIB, 1000);
        assertThat(buckets.bucketLength()).isEqualTo(263 * 4096L);
        assertThat(buckets.dirtyBytes()).hasSize(997);
    }

    @Test
    void disksOfNoWholeNumberOfGranulesClipTheLastBit() {
        // odd1m: 1000448 bytes; odd64m: 64 MiB + 512 bytes (QEMU's last bit covers only the disk's tail)
        for (String image : new String[] {"odd1m", "odd64m"}) {
            long size = image.equals("odd1m") ? 1000448 : (64L << 20) + 512;
            for (QemuTestData.NbdDirty b : nbd(QemuTestData.extraDir().resolve(image + ".nbd.txt"))) {
                for (int n : new int[] {1, 3, 100, 999}) {
                    check(b, size, 0, size, n);
                }
            }
        }
    }

    @Test
    void moreBucketsThanBitsGiveOneBucketPerBit() {
        QemuTestData.NbdDirty g1m = byName(QemuTestData.extraDir().resolve("odd1m.nbd.txt"), "g1m");
        DirtyBuckets one = check(g1m, 1000448, 0, 1000448, 50);
        assertThat(one.dirtyBytes()).containsExactly(1000448L);
        QemuTestData.NbdDirty b1m = byName(QemuTestData.dir().resolve("expected/img1.nbd.txt"), "b1m");
        DirtyBuckets perBit = check(b1m, GIB, 0, GIB, DirtyBuckets.MAX_BUCKETS);
        assertThat(perBit.dirtyBytes()).hasSize(1024);
        assertThat(perBit.bucketLength()).isEqualTo(1 << 20);
    }

    @Test
    void unalignedWindowsCountOnlyTheirOwnBytes() {
        QemuTestData.NbdDirty b64k = byName(QemuTestData.dir().resolve("expected/img1.nbd.txt"), "b64k");
        check(b64k, GIB, 1000, 10 * 1024 * 1024 + 5000, 3);
        check(b64k, GIB, 100, 1000, 1);
        check(b64k, GIB, GIB - 100, GIB, 10);
        DirtyBuckets empty = check(b64k, GIB, 5000, 5000, 10);
        assertThat(empty.dirtyBytes()).isEmpty();
    }

    @Test
    void aBucketCountOutsideOneTo65536IsRefused() {
        assertThatThrownBy(() -> new DirtyBuckets(512, 0, 1024, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DirtyBuckets(512, 0, 1024, DirtyBuckets.MAX_BUCKETS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Feeds the bits QEMU's ranges imply (stored as the replica stores them: 64 KiB segments, all-zero ones absent)
     * and checks every bucket against the ranges themselves.
     */
    private static DirtyBuckets check(QemuTestData.NbdDirty bitmap, long disk, long start, long end, int n) {
        long g = bitmap.granularity();
        long bits = (disk + g - 1) / g;
        DirtyBuckets buckets = new DirtyBuckets(g, start, end, n);
        byte[] segment = new byte[64 * 1024];
        long bitsPerSegment = segment.length * 8L;
        for (long first = 0; first < bits; first += bitsPerSegment) {
            Arrays.fill(segment, (byte) 0);
            boolean any = false;
            for (long[] r : bitmap.ranges()) {
                for (long bit = Math.max(first, r[0] / g); bit < Math.min(first + bitsPerSegment, (r[1] + g - 1) / g); bit++) {
                    segment[(int) ((bit - first) / 8)] |= (byte) (1 << ((bit - first) % 8));
                    any = true;
                }
            }
            if (any) {
                int length = (int) Math.min(segment.length, (bits - first + 7) / 8);
                buckets.range(first, Arrays.copyOf(segment, length));
            }
        }
        long[] dirty = buckets.dirtyBytes();
        long bucketLength = buckets.bucketLength();
        long firstBucketStart = start / g * g;
        long total = 0;
        for (int i = 0; i < dirty.length; i++) {
            long from = Math.max(start, firstBucketStart + i * bucketLength);
            long to = Math.min(end, firstBucketStart + (i + 1) * bucketLength);
            assertThat(dirty[i]).as("%s bucket %d of %d [%d,%d)", bitmap.name(), i, n, from, to)
                    .isEqualTo(overlap(bitmap.ranges(), from, to));
            total += dirty[i];
        }
        assertThat(total).as("%s: every dirty byte of the window in some bucket", bitmap.name())
                .isEqualTo(overlap(bitmap.ranges(), start, end));
        assertThat(dirty.length).isLessThanOrEqualTo(n);
        if (end > start) {
            assertThat(firstBucketStart + dirty.length * bucketLength).as("buckets cover the window")
                    .isGreaterThanOrEqualTo(end);
        }
        return buckets;
    }

    /** Bytes of {@code [from, to)} inside QEMU's ranges. */
    static long overlap(List<long[]> ranges, long from, long to) {
        long sum = 0;
        for (long[] r : ranges) {
            sum += Math.max(0, Math.min(to, r[1]) - Math.max(from, r[0]));
        }
        return sum;
    }

    private static List<QemuTestData.NbdDirty> nbd(java.nio.file.Path file) {
        List<QemuTestData.NbdDirty> out = new ArrayList<>(QemuTestData.nbdDirty(file));
        assertThat(out).as(file.toString()).isNotEmpty();
        return out;
    }

    private static QemuTestData.NbdDirty byName(java.nio.file.Path file, String name) {
        return nbd(file).stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }
}
