package org.dbmstream.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.QemuVm;
import org.dbmstream.testkit.QmpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libvirt's pull-mode backup with a live qemu-system-x86_64 (machine none; guest writes through HMP qemu-io):
 * QEMU refuses to export the enabled bitmap of the running disk, so a fleecing node (blockdev-backup
 * sync=none into a scratch qcow2 backed by the disk) is exported with a disabled copy of the bitmap. dbm reads
 * that copy over NBD: the bitmap of the moment of the backup, with QEMU's sha256, while the guest keeps
 * writing (and dirtying the live bitmap).
 */
class PullModeBackupIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void theFleecedCopyOfABitmapOfARunningVmIsReadOverNbd() throws Exception {
        assumeTrue(QemuTools.available("qemu-system-x86_64", "qemu-img"), "QEMU is not installed");
        final Path disk = QemuTestData.image("img1", tmp);
        final Path scratch = tmp.resolve("fleece.qcow2");
        final Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", scratch.toString(), "1G")
                .inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).isTrue();
        final Path socket = tmp.resolve("backup.sock");
        try (QemuVm vm = QemuVm.start(tmp, List.of(
                // the guest's disk: a block backend (drive0) as a device would hold it, over node disk0
                "-drive", "if=none,id=drive0,node-name=disk0,driver=qcow2,file.driver=file,file.filename=" + disk))) {
            final QmpClient qmp = vm.qmp();
            qmp.execute("nbd-server-start", Map.of("addr", Map.of("type", "unix", "data", Map.of("path", socket.toString()))));
            // the guest writes while the VM runs
            guestWrite(qmp, "write 0x30000000 64k");
            assertThat(vm.bitmaps("disk0").stream().filter(b -> b.get("name").asText().equals("b64k")).findFirst()
                    .orElseThrow().get("count").asLong()).as("the write dirtied the live bitmap").isEqualTo(1245184L + 65536);

            // exporting the live, enabled bitmap of the running disk is refused by QEMU
            assertThatThrownBy(() -> qmp.execute("block-export-add", Map.of("type", "nbd", "id", "live",
                    "node-name", "disk0", "name", "live", "writable", false, "bitmaps", List.of("b64k"))))
                    .hasMessageContaining("Enabled bitmap 'b64k' incompatible with readonly export");

            // libvirt's pull mode: scratch node backed by the disk, disabled copy, backup job sync=none, export
            qmp.execute("blockdev-add", Map.of("driver", "qcow2", "node-name", "fleece", "backing", "disk0",
                    "file", Map.of("driver", "file", "filename", scratch.toString())));
            qmp.execute("transaction", Map.of("actions", List.of(
                    Map.of("type", "block-dirty-bitmap-add", "data",
                            Map.of("node", "disk0", "name", "backup-b64k", "granularity", 65536, "disabled", true)),
                    Map.of("type", "block-dirty-bitmap-merge", "data",
                            Map.of("node", "disk0", "target", "backup-b64k", "bitmaps", List.of("b64k"))),
                    Map.of("type", "blockdev-backup", "data",
                            Map.of("device", "disk0", "target", "fleece", "sync", "none", "job-id", "fleecing")))));
            qmp.execute("block-export-add", Map.of("type", "nbd", "id", "backup", "node-name", "fleece",
                    "name", "disk0-backup", "writable", false,
                    "bitmaps", List.of(Map.of("node", "disk0", "name", "backup-b64k"))));
            final String atBackup = vm.sha256("disk0", "backup-b64k");

            // the guest goes on writing during the backup: the live bitmap changes, the copy does not
            guestWrite(qmp, "write 0x3ff00000 128k");
            assertThat(vm.sha256("disk0", "b64k")).as(vm.log()).isNotEqualTo(atBackup);

            final NbdUri uri = NbdUri.parse("nbd+unix:///disk0-backup?socket=" + socket);
            assertThat(NbdDirtyBitmap.list(uri, TIMEOUT)).containsExactly("backup-b64k");
            final NbdDirtyBitmap.Result r = NbdDirtyBitmap.read(uri, "backup-b64k", Granularity.of(65536),
                    tmp.resolve("backup.raw"), TIMEOUT);
            assertThat(r.digest().sha256()).isEqualTo(atBackup);
            assertThat(r.diskSize()).isEqualTo(1L << 30);
            // img1's four dirty regions plus the one written before the backup: 19 + 1 bits of 64 KiB
            assertThat(r.digest().count()).isEqualTo(1245184L + 65536);

            // and the backup is torn down as libvirt does
            qmp.execute("block-export-del", Map.of("id", "backup"));
            qmp.execute("block-job-cancel", Map.of("device", "fleecing"));
            qmp.execute("block-dirty-bitmap-remove", Map.of("node", "disk0", "name", "backup-b64k"));
        }
    }

    /**
     * A write as the guest makes it: HMP qemu-io through the disk's block backend (which the backup job's
     * copy-before-write filter intercepts; a new backend on the node itself would be refused once the job runs).
     */
    private static void guestWrite(final QmpClient qmp, final String command) throws Exception {
        final String out = qmp.execute("human-monitor-command",
                Map.of("command-line", "qemu-io drive0 \"" + command + "\"")).asText();
        assertThat(out).as(command).doesNotContainIgnoringCase("error").doesNotContainIgnoringCase("failed");
    }
}
