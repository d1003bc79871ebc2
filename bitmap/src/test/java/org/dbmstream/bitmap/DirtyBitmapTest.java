package org.dbmstream.bitmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DirtyBitmapTest {
    private static final Granularity G512 = Granularity.of(512);
    private static final Granularity G64K = Granularity.of(65536);

    @Test
    void serializesLsbFirstInLittleEndianWords() {
        DirtyBitmap b = new DirtyBitmap(512 * 200, G512);
        b.set(0);
        b.set(9);
        b.set(63);
        b.set(64);
        b.set(199);
        byte[] bytes = b.toBytes();
        assertThat(bytes).hasSize(32); // 200 bits -> 4 words
        assertThat(bytes[0]).isEqualTo((byte) 0x01);
        assertThat(bytes[1]).isEqualTo((byte) 0x02);
        assertThat(bytes[7]).isEqualTo((byte) 0x80);
        assertThat(bytes[8]).isEqualTo((byte) 0x01);
        assertThat(bytes[24]).isEqualTo((byte) 0x80); // bit 199 = byte 24, bit 7
        assertThat(b.setBits()).isEqualTo(5);
    }

    @Test
    void serializationSizeCountsWholeWordsSpanned() {
        assertThat(DirtyBitmap.serializationSize(0, 0)).isZero();
        assertThat(DirtyBitmap.serializationSize(0, 1)).isEqualTo(8);
        assertThat(DirtyBitmap.serializationSize(0, 64)).isEqualTo(8);
        assertThat(DirtyBitmap.serializationSize(0, 65)).isEqualTo(16);
        assertThat(DirtyBitmap.serializationSize(64, 64)).isEqualTo(8);
        assertThat(DirtyBitmap.serializationSize(8192, 8192)).isEqualTo(1024);
        assertThat(DirtyBitmap.serializationSize(128, 1)).isEqualTo(8);
    }

    @Test
    void rangesMustStartOnAWordAndStayInside() {
        DirtyBitmap b = new DirtyBitmap(512 * 128, G512);
        assertThatThrownBy(() -> b.serialize(1, 8)).hasMessageContaining("word boundary");
        assertThatThrownBy(() -> b.serialize(64, 65)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.deserialize(0, 128, new byte[8])).hasMessageContaining("need 16");
        assertThatThrownBy(() -> b.setRange(0, -1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.markDirty(512 * 127, 513)).hasMessageContaining("outside the disk");
    }

    @Test
    void serializeAndDeserializeRoundTripWordRanges() {
        DirtyBitmap a = random(512L * 1000 + 7, G512, 42);
        DirtyBitmap b = new DirtyBitmap(a.diskSize(), G512);
        for (long first = 0; first < a.bitCount(); first += 192) {
            long n = Math.min(192, a.bitCount() - first);
            byte[] padded = Arrays.copyOf(a.serialize(first, n), 32 * 2);
            b.deserialize(first, n, padded); // QEMU pads to 32 bytes: the extra must be ignored
        }
        assertThat(b.toBytes()).isEqualTo(a.toBytes());
        assertThat(b.sha256()).isEqualTo(a.sha256());
        byte[] into = new byte[40];
        a.serializeInto(64, 128, into, 8);
        assertThat(Arrays.copyOfRange(into, 8, 24)).isEqualTo(a.serialize(64, 128));
    }

    @Test
    void deserializeDropsBitsPastTheEnd() {
        DirtyBitmap b = new DirtyBitmap(512 * 3, G512);
        b.deserialize(0, 3, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1});
        assertThat(b.setBits()).isEqualTo(3);
        assertThat(b.toBytes()).containsExactly(7, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void partialLastGranuleOfAnOddDiskSize() {
        long size = (1L << 30) + 1;
        DirtyBitmap b = new DirtyBitmap(size, G64K);
        assertThat(b.bitCount()).isEqualTo(16385);
        assertThat(b.serializedSize()).isEqualTo(2056); // 257 words
        b.markDirty(size - 1, 1);
        assertThat(b.get(16384)).isTrue();
        // count is set bits x granularity, not clipped to the 1 byte the last granule covers
        assertThat(b.count()).isEqualTo(65536);
        // extents are clipped to the disk size
        assertThat(b.extents()).containsExactly(new Extent(0, 1L << 30, false), new Extent(1L << 30, 1, true));
    }

    @Test
    void oddDiskSizeSmallerThanAGranule() {
        DirtyBitmap b = new DirtyBitmap(1000, G64K);
        assertThat(b.bitCount()).isEqualTo(1);
        b.markDirty(999, 1);
        assertThat(b.count()).isEqualTo(65536);
        assertThat(b.extents()).containsExactly(new Extent(0, 1000, true));
    }

    @Test
    void extentsScanWordsLikeABitByBitWalk() {
        DirtyBitmap b = random(512L * 5000 + 100, G512, 7);
        b.setRange(1000, 700, true);
        b.setRange(3000, 128, false);
        assertThat(b.extents()).isEqualTo(naiveExtents(b));
        assertThat(b.dirtyExtents()).allMatch(Extent::dirty);
        assertThat(b.extents().stream().mapToLong(Extent::length).sum()).isEqualTo(b.diskSize());
    }

    @Test
    void sha256IsOverWholeWordsAndAZeroBitBitmapHashesOneWordLikeQemu() throws Exception {
        DirtyBitmap b = random(512L * 300, G512, 3);
        assertThat(b.sha256()).isEqualTo(sha256(b.toBytes()));
        assertThat(b.digest().count()).isEqualTo(b.count());
        DirtyBitmap empty = new DirtyBitmap(0, G512);
        assertThat(empty.bitCount()).isZero();
        assertThat(empty.extents()).isEmpty();
        assertThat(empty.sha256()).isEqualTo(sha256(new byte[8]));
    }

    @Test
    void mergeOrsBitsOfTheSameGeometry() {
        DirtyBitmap a = new DirtyBitmap(512 * 100, G512);
        DirtyBitmap b = new DirtyBitmap(512 * 100, G512);
        a.set(1);
        b.set(99);
        a.merge(b);
        assertThat(a.setBits()).isEqualTo(2);
        assertThatThrownBy(() -> a.merge(new DirtyBitmap(512 * 101, G512)))
                .hasMessageContaining("different geometry");
    }

    static DirtyBitmap random(long size, Granularity g, long seed) {
        DirtyBitmap b = new DirtyBitmap(size, g);
        Random r = new Random(seed);
        for (long bit = 0; bit < b.bitCount(); bit++) {
            if (r.nextInt(3) == 0) {
                b.set(bit);
            }
        }
        return b;
    }

    private static List<Extent> naiveExtents(DirtyBitmap b) {
        List<Extent> out = new ArrayList<>();
        long g = b.granularity().bytes();
        long bit = 0;
        while (bit < b.bitCount()) {
            boolean dirty = b.get(bit);
            long end = bit + 1;
            while (end < b.bitCount() && b.get(end) == dirty) {
                end++;
            }
            out.add(new Extent(bit * g, Math.min(end * g, b.diskSize()) - bit * g, dirty));
            bit = end;
        }
        return out;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
