package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.dbmstream.testkit.PatchedImages;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images QEMU refuses are refused by every reader alike (the checks are the qcow2 reader's, at open): QEMU's
 * img1 patched to a virtual size of 0 with its bitmaps still there, or with a bitmap name that is not UTF-8.
 * {@code inspect} and {@code export} exit 1, {@code migrate} exits 2 before anything starts.
 */
class ImageChecksTest {
    private static final String ZERO_SIZE = "Could not read bitmap 'b64k' from image: its table has 1 entries, "
            + "a disk of 0 bytes at granularity 65536 with 65536-byte clusters needs 0";
    private static final String NOT_UTF8 = "a bitmap name is not valid UTF-8: bytes 62 36 ff 6b (hex)";

    @Test
    void aQcow2OfVirtualSizeZeroIsRefusedByEveryReader(@TempDir final Path tmp) throws Exception {
        final Path image = PatchedImages.zeroVirtualSize(QemuTestData.image("img1", tmp));
        assertRefusedEverywhere(image, ZERO_SIZE, tmp);
        if (QemuTools.available("qemu-img")) {
            // QEMU's own verdict on the same bytes
            final Process info = new ProcessBuilder(QemuTools.find("qemu-img").toString(), "info", image.toString())
                    .redirectErrorStream(true).start();
            final String said = new String(info.getInputStream().readAllBytes());
            assertThat(info.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(info.exitValue()).isEqualTo(1);
            assertThat(said).contains("Could not read bitmap 'b64k' from image");
        }
    }

    @Test
    void aBitmapNameThatIsNotUtf8IsRefusedWithItsBytesNeverChanged(@TempDir final Path tmp) throws Exception {
        final Path image = PatchedImages.renameBitmap(QemuTestData.image("img1", tmp), "b64k",
                new byte[] {'b', '6', (byte) 0xff, 'k'});
        assertRefusedEverywhere(image, NOT_UTF8, tmp);
    }

    private static void assertRefusedEverywhere(final Path image, final String message, final Path tmp)
            throws Exception {
        final DbmRun inspect = DbmRun.of("inspect", image.toString());
        assertThat(inspect.exit()).isEqualTo(1);
        assertThat(inspect.err()).contains(image + ": " + message).doesNotContain("\uFFFD");
        assertThat(inspect.out()).isEmpty();

        final DbmRun migrate = DbmRun.of("migrate", image.toString());
        assertThat(migrate.exit()).as(migrate.err()).isEqualTo(2);
        assertThat(migrate.err()).startsWith("dbm migrate: qcow2 image " + image + ": " + message);
        assertThat(migrate.out()).isEmpty();

        final Path stream = tmp.resolve("out.stream");
        final DbmRun export = DbmRun.of("export", image.toString(), "-o", stream.toString());
        assertThat(export.exit()).isEqualTo(1);
        assertThat(export.err()).contains(message);
        assertThat(stream).doesNotExist();
        assertThat(Files.list(tmp)).containsExactly(image);
    }
}
