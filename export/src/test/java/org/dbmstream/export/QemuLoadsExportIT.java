package org.dbmstream.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.QemuVm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streams written by {@link QemuStreamExport} load into a fresh real QEMU ({@code -incoming defer},
 * machine {@code none}), and every bitmap has QEMU's own sha256/count of the original: granularities
 * 512 B (img5) to 2 GiB (g2g), names with spaces and UTF-8 (names), enabled/disabled, a persistent
 * bitmap stored into the destination's qcow2 image. Chunks of QEMU's own 1 KiB and the 8 KiB a source
 * publishes on Kafka by default both load: QEMU's loader takes any BITS buffer up to 10 KiB.
 */
class QemuLoadsExportIT {
    @TempDir
    Path tmp;

    @BeforeAll
    static void qemu() {
        assumeTrue(QemuTools.available("qemu-system-x86_64", "qemu-img"), "QEMU is not installed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1K", "8K"})
    void sharedImagesRoundTrip(final String width) throws Exception {
        for (final String image : new String[] {"img1", "img5"}) {
            roundTrip(QemuTestData.image(image, tmp), QemuTestData.expected(image + ".qcow2"), ChunkSize.parse(width));
        }
    }

    @Test
    void extremeGranularitiesAndNamesRoundTrip() throws Exception {
        for (final String image : new String[] {"g2g", "names"}) {
            final Path file = QemuTestData.gunzip(QemuTestData.extraDir().resolve(image + ".qcow2.gz"), tmp);
            roundTrip(file, QemuTestData.jsonl("../qcow2-extra/expected.jsonl", "image", image + ".qcow2"),
                    ChunkSize.QEMU);
        }
    }

    private void roundTrip(final Path image, final List<JsonNode> expected, final ChunkSize width) throws Exception {
        final String node = image.getFileName().toString().replace(".qcow2", "");
        final Path stream = tmp.resolve(node + ".stream");
        try (OutputStream out = Files.newOutputStream(stream)) {
            QemuStreamExport.write(MigrationRequest.builder().target("t").chunkSize(width)
                    .input(new MigrationInput.Qcow2Image(image, node)).build(), out, "none");
        }
        final long size = expected.get(0).get("size").asLong();
        final Path dst = tmp.resolve(node + "-dst.qcow2");
        final Process img = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", dst.toString(),
                Long.toString(size)).inheritIO().start();
        assertThat(img.waitFor(60, TimeUnit.SECONDS) && img.exitValue() == 0).isTrue();
        try (QemuVm vm = QemuVm.start(tmp, List.of("-incoming", "defer",
                "-blockdev", "driver=file,filename=" + dst + ",node-name=" + node + "-file",
                "-blockdev", "driver=qcow2,file=" + node + "-file,node-name=" + node))) {
            assertThat(vm.loadBitmapStream(stream)).as(vm.log()).isEqualTo("completed");
            final List<JsonNode> loaded = vm.bitmaps(node);
            assertThat(loaded).as(node).hasSize(expected.size());
            for (final JsonNode e : expected) {
                final String name = e.get("name").asText();
                assertThat(vm.sha256(node, name)).as(node + "/" + name).isEqualTo(e.get("sha256").asText());
                final JsonNode b = loaded.stream().filter(x -> x.get("name").asText().equals(name)).findFirst()
                        .orElseThrow();
                assertThat(b.get("count").asLong()).as(node + "/" + name).isEqualTo(e.get("count").asLong());
                assertThat(b.get("granularity").asLong()).isEqualTo(e.get("granularity").asLong());
                assertThat(b.get("persistent").asBoolean()).isEqualTo(e.get("persistent").asBoolean());
            }
        }
    }
}
