package org.dbmstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import org.dbmstream.serdes.SpecHeaders;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.RecordSerializers;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector's migration ids follow the rule of the CLI: an id is an identity, so other content (the
 * file rewritten with the same size and time, another target) never goes out under an id already used,
 * while the same image with the same settings keeps its id (a resumed task continues it).
 */
class ImageMigrationTest {

    private static Qcow2BitmapSourceConnectorConfig config(Path images, String target) {
        Map<String, String> c = new HashMap<>();
        c.put("images", images.toString());
        c.put("target", target);
        return new Qcow2BitmapSourceConnectorConfig(c);
    }

    @Test
    void otherContentNeverSharesAnId(@TempDir Path dir) throws Exception {
        Path img = QemuTestData.image("img1", dir);
        Path other = QemuTestData.image("img2", Files.createDirectory(dir.resolve("other")));
        // same length for both (zeros past a qcow2 image's last cluster are not read)
        long size = Math.max(Files.size(img), Files.size(other));
        pad(img, size);
        pad(other, size);
        String id = ImageMigration.migrationId(config(dir, "vm1"), img);
        assertThat(ImageMigration.migrationId(config(dir, "vm1"), img)).isEqualTo(id);
        assertThat(ImageMigration.migrationId(config(dir, "vm2"), img)).isNotEqualTo(id);

        // the file rewritten in place with other bitmaps, same size and modification time
        FileTime time = Files.getLastModifiedTime(img);
        Files.copy(other, img, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(img, time);
        assertThat(ImageMigration.migrationId(config(dir, "vm1"), img)).isNotEqualTo(id);
    }

    private static void pad(Path file, long size) throws java.io.IOException {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            if (ch.size() < size) {
                ch.write(java.nio.ByteBuffer.allocate((int) (size - ch.size())), ch.size());
            }
        }
    }

    @Test
    void imagesQemuRefusesAreRefusedAsInTheCli(@TempDir Path dir) throws Exception {
        Path zero = org.dbmstream.testkit.PatchedImages.zeroVirtualSize(QemuTestData.image("img1", dir));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageMigration.migrationId(config(dir, "vm1"), zero))
                .hasMessageContaining("Could not read bitmap 'b64k' from image: its table has 1 entries, a disk of 0 "
                        + "bytes");
        Path other = Files.createDirectory(dir.resolve("other"));
        Path badName = org.dbmstream.testkit.PatchedImages.renameBitmap(QemuTestData.image("img1", other), "b64k",
                new byte[] {'b', '6', (byte) 0xff, 'k'});
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageMigration.migrationId(config(other, "vm1"),
                badName)).hasMessageContaining("a bitmap name is not valid UTF-8: bytes 62 36 ff 6b (hex)");
    }

    @Test
    void theSpecRecordCarriesTheContentFingerprint(@TempDir Path dir) throws Exception {
        Path img = QemuTestData.image("img1", dir);
        Qcow2BitmapSourceConnectorConfig config = config(dir, "vm1");
        String fingerprint = org.dbmstream.source.MigrationFingerprint.of(ImageMigration.request(img, config).build())
                .fingerprint();
        try (ImageMigration m = ImageMigration.open(img, "m1", fingerprint, config, new Topics("t."),
                RecordSerializers.embedded(), "src")) {
            Object value = m.specHeaders().lastWithName(SpecHeaders.FINGERPRINT).value();
            assertThat(new String((byte[]) value, StandardCharsets.UTF_8)).isEqualTo(fingerprint).startsWith("sha256:");
        }
    }
}
