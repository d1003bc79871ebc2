package org.dbmstream.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dbmstream.bitmap.BitmapDigest;

/** Checks one bitmap of an opened image against the line QEMU reported for it. */
final class QemuAnswers {
    /** Bitmaps up to this many serialized bytes are also loaded whole; larger ones only streamed. */
    static final long SMALL = 8L << 20;

    private QemuAnswers() {
    }

    static void assertMatches(Path image, Expected qemu) throws IOException {
        try (Qcow2Image img = Qcow2Image.open(image)) {
            assertThat(img.virtualSize()).as("virtual size").isEqualTo(qemu.size());
            Qcow2Bitmap bm = img.bitmap(qemu.name()).orElseThrow();
            assertThat(bm.granularity().bytes()).as("granularity").isEqualTo(qemu.granularity());
            assertThat(bm.persistent()).isEqualTo(qemu.persistent());
            assertThat(bm.inconsistent()).isEqualTo(qemu.inconsistent());
            if (qemu.inconsistent()) {
                assertThatThrownBy(() -> img.data(bm))
                        .isInstanceOf(InconsistentBitmapException.class)
                        .hasMessageStartingWith("Bitmap '" + qemu.name() + "' is inconsistent and cannot be used");
                return;
            }
            assertThat(bm.enabled()).as("enabled = QEMU recording").isEqualTo(qemu.recording());
            BitmapDigest.Result streamed = img.data(bm).digest();
            assertThat(streamed.sha256()).as("streamed sha256").isEqualTo(qemu.sha256());
            assertThat(streamed.count()).as("streamed count").isEqualTo(qemu.count());
            BitmapReport report = img.report(bm);
            assertThat(List.of(report.name(), report.granularity(), report.diskSize(), report.enabled(),
                    report.persistent(), report.count(), report.sha256()))
                    .containsExactly(qemu.name(), qemu.granularity(), qemu.size(), qemu.recording(),
                            qemu.persistent(), qemu.count(), qemu.sha256());
            if (bm.serializedSize() <= SMALL) {
                assertThat(img.load(qemu.name()).count()).as("loaded count").isEqualTo(qemu.count());
            }
        }
    }
}
