package org.dbmstream.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.QemuConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lazy range reads, as a source chunker uses them: whatever way a bitmap is cut, the bytes hash to
 * QEMU's sha256 and count.
 */
class StreamingReadTest {
    @TempDir
    Path tmp;

    private Path image(String dir, String name) {
        return dir.equals("qemu") ? TestImages.qemuImage(name, tmp) : TestImages.extraImage(name, tmp);
    }

    private static Expected answer(String dir, String image, String name) {
        Path jsonl = dir.equals("qemu") ? TestImages.qemuDir().resolve("expected/sha256.jsonl")
                : TestImages.extraDir().resolve("expected.jsonl");
        return Expected.read(jsonl).stream().filter(e -> e.image().equals(image) && e.name().equals(name))
                .findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{1} {2}")
    @CsvSource({"qemu, img1.qcow2, b4k", "qemu, img5-ones.qcow2, full", "extra, longtable.qcow2, fine",
            "extra, odd64m.qcow2, g512", "extra, g2g.qcow2, g2g", "extra, odd1m-tailbits.qcow2, g64k"})
    void migrationSizedChunksHashToQemusAnswer(String dir, String image, String name) throws IOException {
        Expected qemu = answer(dir, image, name);
        try (Qcow2Image img = Qcow2Image.open(image(dir, image))) {
            BitmapData data = img.data(name);
            long bitsPerChunk = QemuConstants.CHUNK_SIZE * 8L;
            long bits = data.bitmap().bitCount();
            BitmapDigest digest = new BitmapDigest(data.bitmap().granularity());
            for (long first = 0; first < bits; first += bitsPerChunk) {
                byte[] chunk = data.serialize(first, Math.min(bitsPerChunk, bits - first));
                digest.update(chunk, 0, chunk.length);
            }
            BitmapDigest.Result r = digest.finish();
            assertThat(r.sha256()).isEqualTo(qemu.sha256());
            assertThat(r.setBits() - data.setBitsPastEnd()).isEqualTo(qemu.count() / qemu.granularity());
        }
    }

    @ParameterizedTest(name = "{1} {2} in pieces of {3}")
    @CsvSource({"extra, longtable.qcow2, fine, 777", "qemu, img1.qcow2, b4k, 4095", "extra, names.qcow2, "
            + "sauvegarde incrémentale №1, 1", "extra, many.qcow2, bm07, 13"})
    void oddSizedReadsAcrossClustersHashToQemusAnswer(String dir, String image, String name, int piece)
            throws IOException {
        Expected qemu = answer(dir, image, name);
        try (Qcow2Image img = Qcow2Image.open(image(dir, image))) {
            BitmapData data = img.data(name);
            BitmapDigest digest = new BitmapDigest(data.bitmap().granularity());
            byte[] buf = new byte[piece];
            for (long off = 0; off < data.size(); off += piece) {
                int n = (int) Math.min(piece, data.size() - off);
                data.read(off, buf, 0, n);
                digest.update(buf, 0, n);
            }
            assertThat(digest.finish().sha256()).isEqualTo(qemu.sha256());
        }
    }

    @Test
    void streamPassesUnstoredClustersAsZerosAndTheRestAsBytes() throws IOException {
        Expected qemu = answer("extra", "huge.qcow2", "huge");
        try (Qcow2Image img = Qcow2Image.open(image("extra", "huge.qcow2"))) {
            BitmapData data = img.data("huge");
            List<Long> stored = new ArrayList<>();
            long[] zeros = {0};
            BitmapDigest digest = new BitmapDigest(data.bitmap().granularity());
            data.stream(new BitmapSink() {
                @Override
                public void bytes(byte[] buf, int off, int len) {
                    stored.add(digest.bytes());
                    digest.update(buf, off, len);
                }

                @Override
                public void zeros(long n) {
                    zeros[0] += n;
                    digest.updateZeros(n);
                }
            });
            // Writes at 0, 500 GiB and the last sector dirty three bitmap clusters; the rest was never stored.
            long cluster = img.clusterSize();
            long bitsPerCluster = cluster * 8;
            assertThat(stored).containsExactly(0L, (500L << 30) / 512 / bitsPerCluster * cluster,
                    data.size() - cluster);
            assertThat(zeros[0]).isEqualTo(data.size() - 3 * cluster);
            assertThat(digest.finish().sha256()).isEqualTo(qemu.sha256());
        }
    }

    @Test
    void img5OnesUsesAllOnesAndAllZerosTableEntries() throws IOException {
        Path path = image("qemu", "img5-ones.qcow2");
        try (Qcow2Image img = Qcow2Image.open(path); var channel = Files.newByteChannel(path)) {
            Qcow2Bitmap full = img.bitmap("full").orElseThrow();
            BitmapTable table = new BitmapTable(new ImageFile(channel), full, img.clusterSize());
            List<Long> entries = new ArrayList<>();
            for (int i = 0; i < full.tableSize(); i++) {
                entries.add(table.entry(i));
            }
            assertThat(entries).contains(0L, BitmapTable.ALL_ONES);
            int ones = entries.indexOf(BitmapTable.ALL_ONES);
            int zeros = entries.indexOf(0L);
            BitmapData data = img.data(full);
            long bitsPerCluster = data.bitsPerCluster();
            assertThat(data.serialize(ones * bitsPerCluster, bitsPerCluster)).containsOnly((byte) 0xff);
            assertThat(data.serialize(zeros * bitsPerCluster, bitsPerCluster)).containsOnly((byte) 0);
        }
    }

    @Test
    void rangesOutsideTheBitmapAreRefused() throws IOException {
        try (Qcow2Image img = Qcow2Image.open(image("qemu", "img1.qcow2"))) {
            BitmapData data = img.data("b1m");
            assertThatThrownBy(() -> data.serialize(1, 8)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("word boundary");
            assertThatThrownBy(() -> data.serialize(0, data.bitmap().bitCount() + 1))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("'b1m'");
            assertThatThrownBy(() -> data.read(data.size() - 4, new byte[8], 0, 8))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("'b1m'");
        }
    }
}
