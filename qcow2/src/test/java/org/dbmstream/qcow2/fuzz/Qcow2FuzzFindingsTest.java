package org.dbmstream.qcow2.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.dbmstream.qcow2.Qcow2Bitmap;
import org.dbmstream.qcow2.Qcow2Exception;
import org.dbmstream.qcow2.Qcow2Image;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.fuzz.AllocationMeter;
import org.junit.jupiter.api.Test;

/** Regression tests for what the qcow2 fuzz suite found, and the table loops it is meant to try. */
class Qcow2FuzzFindingsTest {
    private static final int EXT_BITMAPS = 0x23852875;

    @Test
    void aDirectorySizeClaimingMoreThanTheFileIsRefusedBeforeAllocatingIt() {
        final byte[] image = QemuTestData.bytes("../qcow2-extra/names.qcow2.gz");
        final ByteBuffer h = ByteBuffer.wrap(image);
        h.putLong(bitmapsExtension(h) + 8, 1024L * 65535); // bitmap_directory_size: QEMU's maximum, 64 MiB
        final var m = AllocationMeter.measure(() -> Qcow2Image.open(new ByteArrayChannel(image)).close());
        assertThat(m.thrown()).isInstanceOf(Qcow2Exception.class)
                .hasMessageContaining("the bitmap directory at offset").hasMessageContaining("lies outside the file");
        assertThat(m.bytes()).as("bytes allocated").isLessThan(4 << 20);
    }

    @Test
    void tablesPointingAtThemselvesOrAtTheHeaderAreReadOnceAndEnd() throws Exception {
        final byte[] image = QemuTestData.bytes("images/img5.qcow2.gz");
        final ByteBuffer h = ByteBuffer.wrap(image);
        final Qcow2Bitmap first;
        try (Qcow2Image img = Qcow2Image.open(new ByteArrayChannel(image.clone()))) {
            first = img.bitmaps().get(0);
        }
        final int table = (int) first.tableOffset();
        h.putLong(table, first.tableOffset()); // entry 0: the table's own cluster
        if (first.tableSize() > 1) {
            h.putLong(table + 8, 0); // entry 1: all zeros
        }
        try (Qcow2Image img = Qcow2Image.open(new ByteArrayChannel(image))) {
            final var report = img.report(img.bitmaps().get(0));
            assertThat(report.count()).isGreaterThan(0); // the table's own bytes, read as bitmap data
        }
    }

    private static int bitmapsExtension(final ByteBuffer h) {
        for (int pos = h.getInt(100); h.getInt(pos) != 0; pos += 8 + ((h.getInt(pos + 4) + 7) & -8)) {
            if (h.getInt(pos) == EXT_BITMAPS) {
                return pos + 8;
            }
        }
        throw new AssertionError("no bitmaps extension");
    }
}
