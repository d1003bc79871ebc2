package org.dbmstream.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.testkit.QemuStorageDaemon;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.QmpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bitmap of a running qemu-storage-daemon, dirtied by writes through the daemon while exported: each read
 * over NBD has QEMU's sha256/count of that moment. QEMU refuses to export an enabled bitmap of a writable
 * node, so, as backup tools do, each read exports a disabled copy taken with block-dirty-bitmap-merge.
 */
class LiveBitmapIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String NODE = QemuStorageDaemon.NODE;

    @TempDir
    Path tmp;

    @Test
    void writesThroughTheDaemonShowOnTheNextRead() throws Exception {
        assumeTrue(QemuTools.available("qemu-storage-daemon", "qemu-io"), "QEMU is not installed");
        final Path image = QemuTestData.image("img1", tmp);
        try (QemuStorageDaemon qsd = QemuStorageDaemon.start(image, tmp)) {
            final QmpClient qmp = qsd.qmp();
            qmp.run("block-export-add", "type", "nbd", "id", "rw", "node-name", NODE, "name", "rw", "writable", true);

            final NbdDirtyBitmap.Result before = snapshotAndRead(qsd, "snap1");
            assertThat(before.digest().sha256()).isEqualTo(QemuTestData.expected("img1.qcow2").stream()
                    .filter(e -> e.get("name").asText().equals("b64k")).findFirst().orElseThrow().get("sha256").asText());

            qsd.write("rw", 0x30000000L, 65536);
            qsd.write("rw", 0x3ff00000L, 3 * 65536 + 1);

            final NbdDirtyBitmap.Result after = snapshotAndRead(qsd, "snap2");
            final JsonNode live = qmp.run("x-debug-block-dirty-bitmap-sha256", "node", NODE, "name", "b64k");
            assertThat(after.digest().sha256()).isEqualTo(live.get("sha256").asText());
            assertThat(after.digest().setBits()).isEqualTo(before.digest().setBits() + 1 + 4);
            assertThat(after.digest().count()).isEqualTo(countOf(qmp, "b64k"));
        }
    }

    /** A disabled copy of b64k, exported read-only, read over NBD. */
    private NbdDirtyBitmap.Result snapshotAndRead(final QemuStorageDaemon qsd, final String snap) throws Exception {
        final QmpClient qmp = qsd.qmp();
        qmp.run("block-dirty-bitmap-add", "node", NODE, "name", snap, "granularity", 65536, "disabled", true);
        qmp.run("block-dirty-bitmap-merge", "node", NODE, "target", snap, "bitmaps", List.of("b64k"));
        qmp.run("block-export-add", "type", "nbd", "id", snap, "node-name", NODE, "name", snap, "writable", false,
                "bitmaps", List.of(snap));
        final NbdUri uri = NbdUri.parse("nbd+unix:///" + snap + "?socket=" + qsd.nbdSocket());
        final NbdDirtyBitmap.Result r = NbdDirtyBitmap.read(uri, snap, Granularity.of(65536),
                tmp.resolve(snap + ".raw"), TIMEOUT);
        assertThat(r.digest().sha256()).as("QEMU's own sha256 of " + snap)
                .isEqualTo(qmp.run("x-debug-block-dirty-bitmap-sha256", "node", NODE, "name", snap).get("sha256").asText());
        return r;
    }

    private static long countOf(final QmpClient qmp, final String name) throws Exception {
        for (final JsonNode n : qmp.run("query-named-block-nodes", "flat", true)) {
            if (n.path("node-name").asText().equals(NODE)) {
                for (final JsonNode b : n.path("dirty-bitmaps")) {
                    if (b.path("name").asText().equals(name)) {
                        return b.get("count").asLong();
                    }
                }
            }
        }
        throw new AssertionError("no bitmap " + name);
    }
}
