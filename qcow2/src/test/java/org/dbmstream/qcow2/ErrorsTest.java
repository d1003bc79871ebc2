package org.dbmstream.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images that cannot be read are refused with a message naming the problem (and the bitmap). */
class ErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void notQcow2() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "hello, this is not a disk image at all ".repeat(4));
        assertThatThrownBy(() -> Qcow2Image.open(text)).isInstanceOf(Qcow2Exception.class)
                .hasMessageStartingWith("not a qcow2 image: magic is 0x68656c6c");
        Path tiny = Files.write(tmp.resolve("tiny"), new byte[10]);
        assertThatThrownBy(() -> Qcow2Image.open(tiny)).hasMessage("not a qcow2 image: the file has only 10 bytes");
        Path gz = TestImages.qemuDir().resolve("images/img1.qcow2.gz");
        assertThatThrownBy(() -> Qcow2Image.open(gz))
                .hasMessage("not a qcow2 image: the file is gzip-compressed; gunzip it first");
    }

    @Test
    void version2ImageIsRefusedSayingBitmapsNeedVersion3() {
        Path v2 = TestImages.extraImage("v2.qcow2", tmp);
        assertThatThrownBy(() -> Qcow2Image.open(v2)).isInstanceOf(Qcow2Exception.class)
                .hasMessageStartingWith("qcow2 version 2 image: persistent dirty bitmaps need qcow2 version 3");
    }

    @Test
    void imageWithoutBitmapsExtensionHasNoBitmaps() throws IOException {
        try (Qcow2Image img = Qcow2Image.open(TestImages.extraImage("plain.qcow2", tmp))) {
            assertThat(img.version()).isEqualTo(3);
            assertThat(img.virtualSize()).isEqualTo(1 << 20);
            assertThat(img.bitmaps()).isEmpty();
            assertThatThrownBy(() -> img.load("b")).hasMessage("no bitmap 'b' in the image (it has no bitmaps)");
        }
    }

    @Test
    void unknownBitmapNameListsTheBitmaps() throws IOException {
        try (Qcow2Image img = Qcow2Image.open(TestImages.qemuImage("img1.qcow2", tmp))) {
            assertThatThrownBy(() -> img.data("nope"))
                    .hasMessage("no bitmap 'nope' in the image; it has: 'b64k', 'b4k', 'b1m', 'bdis'");
        }
    }

    @Test
    void inUseBitmapIsRefusedWithQemusMessage() throws IOException {
        try (Qcow2Image img = Qcow2Image.open(TestImages.qemuImage("img-broken.qcow2", tmp))) {
            assertThat(img.bitmaps()).hasSize(4).allMatch(Qcow2Bitmap::inUse).allMatch(Qcow2Bitmap::inconsistent);
            assertThatThrownBy(() -> img.load("b4k")).isInstanceOfSatisfying(InconsistentBitmapException.class,
                    e -> assertThat(e.bitmapName()).isEqualTo("b4k"))
                    .hasMessage("Bitmap 'b4k' is inconsistent and cannot be used"
                            + " (its in_use flag is set: the image was not closed cleanly)");
        }
    }

    @Test
    void clearedAutoclearBitMakesEveryBitmapInconsistent() throws IOException {
        Path img1 = TestImages.qemuImage("img1.qcow2", tmp);
        patch(img1, 95, new byte[] {0}); // autoclear_features: bit 0 "bitmaps extension consistent" cleared
        try (Qcow2Image img = Qcow2Image.open(img1)) {
            assertThat(img.bitmapsExtensionConsistent()).isFalse();
            assertThat(img.bitmaps()).hasSize(4).noneMatch(Qcow2Bitmap::inUse).allMatch(Qcow2Bitmap::inconsistent);
            assertThatThrownBy(() -> img.data("b64k")).isInstanceOf(InconsistentBitmapException.class)
                    .hasMessage("Bitmap 'b64k' is inconsistent and cannot be used (autoclear bit 0 is clear:"
                            + " a program without bitmap support modified the image)");
        }
    }

    @Test
    void truncatedImages() throws IOException {
        Path img1 = TestImages.qemuImage("img1.qcow2", tmp);
        long dirOffset = bitmapsExtension(img1).getLong(16);
        truncate(img1, dirOffset + 16);
        assertThatThrownBy(() -> Qcow2Image.open(img1)).isInstanceOf(Qcow2Exception.class)
                .hasMessageStartingWith("truncated or corrupt image: the bitmap directory at offset " + dirOffset)
                .hasMessageEndingWith("lies outside the file of " + (dirOffset + 16) + " bytes");
        truncate(img1, 80);
        assertThatThrownBy(() -> Qcow2Image.open(img1))
                .hasMessage("truncated image: a qcow2 v3 header needs 104 bytes, the file has 80");
    }

    @Test
    void tableOrDataOutsideTheFileNamesTheBitmap() throws IOException {
        Path img1 = TestImages.qemuImage("img1.qcow2", tmp);
        long entry = directoryEntry(img1, "b4k");
        long beyond = (Files.size(img1) + (1 << 20)) & ~0xffffL;
        patch(img1, entry, ByteBuffer.allocate(8).putLong(beyond).array());
        try (Qcow2Image img = Qcow2Image.open(img1)) {
            assertThatThrownBy(() -> img.data("b4k").digest())
                    .hasMessageStartingWith("truncated or corrupt image: the bitmap table of 'b4k' at offset " + beyond);
        }
        Path img2 = TestImages.qemuImage("img1.qcow2", Files.createDirectories(tmp.resolve("second")));
        long table = tableOffset(img2, "b64k");
        patch(img2, table, ByteBuffer.allocate(8).putLong(beyond).array());
        try (Qcow2Image img = Qcow2Image.open(img2)) {
            assertThatThrownBy(() -> img.data("b64k").digest())
                    .hasMessageStartingWith("truncated or corrupt image: cluster 0 of bitmap 'b64k' at offset " + beyond);
        }
    }

    @Test
    void corruptTableEntryNamesTheBitmap() throws IOException {
        Path img1 = TestImages.qemuImage("img1.qcow2", tmp);
        long table = tableOffset(img1, "b1m");
        long corrupt = readAt(img1, table, 8).getLong() | 2; // bit 1 is reserved
        patch(img1, table, ByteBuffer.allocate(8).putLong(corrupt).array());
        try (Qcow2Image img = Qcow2Image.open(img1)) {
            assertThatThrownBy(() -> img.load("b1m")).hasMessage(String.format("Could not read bitmap 'b1m' from"
                    + " image: bitmap table entry 0 (0x%016x) is corrupt: reserved bits are set", corrupt));
        }
    }

    @Test
    void directoryConstraintsNameTheBitmap() throws IOException {
        Path img1 = TestImages.qemuImage("img1.qcow2", tmp);
        patch(img1, directoryEntry(img1, "bdis") + 17, new byte[] {40});
        assertThatThrownBy(() -> Qcow2Image.open(img1))
                .hasMessage("Bitmap 'bdis' doesn't satisfy the constraints: granularity_bits 40 outside 9..31");
    }

    @Test
    void bitmapCountMustMatchTheExtension() throws IOException {
        Path img1 = TestImages.qemuImage("img1.qcow2", tmp);
        patch(img1, bitmapsExtensionOffset(img1), ByteBuffer.allocate(4).putInt(5).array());
        assertThatThrownBy(() -> Qcow2Image.open(img1)).hasMessage(
                "corrupt bitmap directory: 4 bitmaps found, the bitmaps extension specifies 5");
    }

    @Test
    void tableLengthMustMatchTheDisk() throws IOException {
        Path img1 = TestImages.qemuImage("img1.qcow2", tmp);
        patch(img1, directoryEntry(img1, "b1m") + 8, ByteBuffer.allocate(4).putInt(2).array());
        // QEMU refuses to open such an image: so does every reader, at open
        assertThatThrownBy(() -> Qcow2Image.open(img1)).hasMessage("Could not read bitmap 'b1m' from image: its"
                + " table has 2 entries, a disk of 1073741824 bytes at granularity 1048576 with 65536-byte"
                + " clusters needs 1");
    }

    /**
     * The spec lets a bitmap carry extra data that readers may skip when bit 2 (extra_data_compatible)
     * is set; without that bit the bitmap must not be used. The data itself is QEMU's img1 b64k.
     */
    @Test
    void extraDataIsSkippedOnlyWhenMarkedCompatible() throws IOException {
        Expected qemu = Expected.read(TestImages.qemuDir().resolve("expected/sha256.jsonl")).stream()
                .filter(e -> e.image().equals("img1.qcow2") && e.name().equals("b64k")).findFirst().orElseThrow();
        Path compatible = TestImages.qemuImage("img1.qcow2", tmp);
        addExtraData(compatible, "b64k", true);
        try (Qcow2Image img = Qcow2Image.open(compatible)) {
            assertThat(img.bitmaps()).extracting(Qcow2Bitmap::name).containsExactly("b64k", "b4k", "b1m", "bdis");
            assertThat(img.data("b64k").digest().sha256()).isEqualTo(qemu.sha256());
        }
        Path strict = TestImages.qemuImage("img1.qcow2", Files.createDirectories(tmp.resolve("strict")));
        addExtraData(strict, "b64k", false);
        assertThatThrownBy(() -> Qcow2Image.open(strict)).hasMessage("Bitmap 'b64k' doesn't satisfy the constraints:"
                + " it has 8 bytes of extra data that must be understood to use it");
    }

    /** Rewrites the bitmap directory in place with 8 bytes of extra data in {@code name}'s entry. */
    private static void addExtraData(Path file, String name, boolean compatible) throws IOException {
        long extOffset = bitmapsExtensionOffset(file);
        ByteBuffer ext = bitmapsExtension(file);
        long dir = ext.getLong(16);
        int size = (int) ext.getLong(8);
        long entry = directoryEntry(file, name);
        ByteBuffer old = readAt(file, dir, size);
        ByteBuffer out = ByteBuffer.allocate(size + 8);
        int at = (int) (entry - dir);
        out.put(old.array(), 0, at + 24).put(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).put(old.array(), at + 24, size - at - 24);
        out.putInt(at + 12, out.getInt(at + 12) | (compatible ? 4 : 0)).putInt(at + 20, 8);
        patch(file, dir, out.array());
        patch(file, extOffset + 8, ByteBuffer.allocate(8).putLong(size + 8).array());
    }

    // --- locating structures in a copy of an image, independently of the reader under test ---

    private static void patch(Path file, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(bytes);
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    private static ByteBuffer readAt(Path file, long offset, int len) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[len];
            f.seek(offset);
            f.readFully(b);
            return ByteBuffer.wrap(b);
        }
    }

    /** File offset of the bitmaps extension's data. */
    private static long bitmapsExtensionOffset(Path file) throws IOException {
        long pos = readAt(file, 100, 4).getInt();
        while (true) {
            ByteBuffer h = readAt(file, pos, 8);
            int type = h.getInt();
            int len = h.getInt();
            if (type == 0x23852875) {
                return pos + 8;
            }
            assertThat(type).as("bitmaps extension present").isNotZero();
            pos += 8 + ((len + 7) & ~7);
        }
    }

    private static ByteBuffer bitmapsExtension(Path file) throws IOException {
        return readAt(file, bitmapsExtensionOffset(file), 24);
    }

    /** File offset of the directory entry of bitmap {@code name}. */
    private static long directoryEntry(Path file, String name) throws IOException {
        ByteBuffer ext = bitmapsExtension(file);
        long dir = ext.getLong(16);
        ByteBuffer d = readAt(file, dir, (int) ext.getLong(8));
        int pos = 0;
        while (pos < d.limit()) {
            int nameSize = d.getShort(pos + 18) & 0xffff;
            int extra = d.getInt(pos + 20);
            String n = new String(d.array(), pos + 24 + extra, nameSize, java.nio.charset.StandardCharsets.UTF_8);
            if (n.equals(name)) {
                return dir + pos;
            }
            pos += (24 + extra + nameSize + 7) & ~7;
        }
        throw new AssertionError("no bitmap " + name);
    }

    private static long tableOffset(Path file, String name) throws IOException {
        return readAt(file, directoryEntry(file, name), 8).getLong();
    }
}
