package org.dbmstream.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dbmstream.testkit.QemuTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link QemuImageStore} refuses before QEMU runs, with real qemu-img: images that are not qcow2 or not of
 * the bitmaps' disk size, node names QEMU would reject (storing itself: ReplicaBackIntoQemuIT in cli/).
 */
class QemuImageStoreIT {
    @TempDir
    Path tmp;

    @BeforeAll
    static void qemu() {
        assumeTrue(QemuTools.available("qemu-system-x86_64", "qemu-img"), "QEMU is not installed");
    }

    @Test
    void imagesThatCannotTakeTheBitmapsAreRefusedByName() throws Exception {
        final Path raw = create("raw", "disk.raw", "1M");
        assertThatThrownBy(() -> store(raw).check()).isInstanceOf(QemuException.class)
                .hasMessageContaining(raw + " is raw; QEMU stores bitmaps only in qcow2 images");
        final Path small = create("qcow2", "small.qcow2", "1M");
        store(small).check();
        assertThatThrownBy(() -> store(small).store(tmp.resolve("s.stream"), "disk0", List.of("b"), 2 << 20))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("virtual size of 1048576 bytes, but the bitmaps are of a 2097152-byte disk");
        assertThatThrownBy(() -> store(small).store(tmp.resolve("s.stream"), "my disk", List.of("b"), 1 << 20))
                .isInstanceOf(QemuException.class).hasMessageContaining("'my disk' is not a valid QEMU node name");
    }

    @Test
    void bitmapsTheImageHoldsAlreadyAreNamedBeforeQemuStarts() throws Exception {
        final Path image = create("qcow2", "disk0.qcow2", "1M");
        final Process add = new ProcessBuilder("qemu-img", "bitmap", "--add", image.toString(), "b0").inheritIO().start();
        assertThat(add.waitFor(60, TimeUnit.SECONDS) && add.exitValue() == 0).isTrue();
        final List<String> progress = new java.util.ArrayList<>();
        final QemuImageStore store = new QemuImageStore(image, "none", Duration.ofSeconds(60), progress::add);

        store.checkFits("disk0", List.of("b1"), 1 << 20);
        assertThatThrownBy(() -> store.checkFits("disk0", List.of("b1", "b0"), 1 << 20))
                .isInstanceOf(QemuException.class)
                .hasMessage("image " + image + " already holds bitmap 'b0' (qemu-img info lists it), and QEMU does not "
                        + "overwrite a bitmap: remove it first (qemu-img bitmap --remove " + image + " NAME) or store "
                        + "into another image");
        // store() checks the same before it starts QEMU (the stream need not exist)
        assertThatThrownBy(() -> store.store(tmp.resolve("none.stream"), "disk0", List.of("b0"), 1 << 20))
                .hasMessageContaining("already holds bitmap 'b0'");
        assertThat(progress).isEmpty();
    }

    private QemuImageStore store(final Path image) {
        return new QemuImageStore(image, "none", Duration.ofSeconds(60), line -> { });
    }

    private Path create(final String format, final String name, final String size) throws Exception {
        final Path p = tmp.resolve(name);
        final Process img = new ProcessBuilder("qemu-img", "create", "-q", "-f", format, p.toString(), size)
                .inheritIO().start();
        assertThat(img.waitFor(60, TimeUnit.SECONDS) && img.exitValue() == 0).isTrue();
        return p;
    }
}
