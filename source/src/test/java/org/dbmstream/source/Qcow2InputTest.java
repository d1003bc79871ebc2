package org.dbmstream.source;

import org.dbmstream.testkit.QemuTestData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.source.SelectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qcow2 images as inputs: the chunks cut from QEMU's images rebuild to QEMU's own sha256 and count. */
class Qcow2InputTest {
    @TempDir
    Path dir;

    private static Map<String, DirtyBitmap> rebuild(MigrationPlan plan) {
        List<ChunkTopic.Read> reads = new ArrayList<>();
        while (plan.chunks().hasNext()) {
            Chunk c = plan.chunks().next().chunk();
            var key = org.dbmstream.serdes.ChunkRecords.keyOf("m", c);
            reads.add(new ChunkTopic.Read(0, 0, 0, key, null, c));
        }
        return ChunkTopic.rebuild(reads, -1);
    }

    @Test
    void img1BitmapsRebuildToQemusSha256AndCount() throws IOException {
        Path img = QemuTestData.image("img1", dir);
        MigrationRequest request = MigrationRequest.builder().input(new MigrationInput.Qcow2Image(img)).build();
        try (MigrationPlan plan = MigrationPlanner.plan(request)) {
            assertThat(plan.bitmaps()).extracting(PublishedBitmap::nodeAlias).containsOnly("img1");
            Map<String, DirtyBitmap> rebuilt = rebuild(plan);
            List<JsonNode> expected = QemuTestData.expected("img1.qcow2");
            assertThat(rebuilt).hasSize(expected.size());
            for (JsonNode e : expected) {
                DirtyBitmap b = rebuilt.get("img1/" + e.get("name").asText());
                assertThat(b.sha256()).as(e.get("name").asText()).isEqualTo(e.get("sha256").asText());
                assertThat(b.count()).as(e.get("name").asText()).isEqualTo(e.get("count").asLong());
                assertThat(b.granularity().bytes()).isEqualTo(e.get("granularity").asLong());
            }
            PublishedBitmap bdis = plan.bitmaps().stream().filter(b -> b.bitmapName().equals("bdis")).findFirst()
                    .orElseThrow();
            assertThat(bdis.enabled()).isFalse();
            assertThat(bdis.persistent()).isTrue();
            assertThat(bdis.diskSize()).isEqualTo(1L << 30);
        }
    }

    @Test
    void anExplicitNodeNameAndAMappingApply() throws IOException {
        Path img = QemuTestData.image("img1", dir);
        AliasMap mapping = AliasMap.fromJson("""
                [{"node-name": "vda", "alias": "disk-a", "bitmaps": [{"name": "b4k", "alias": "cbt"}]}]""");
        MigrationRequest request = MigrationRequest.builder().input(new MigrationInput.Qcow2Image(img, "vda"))
                .sourceMapping(mapping).build();
        try (MigrationPlan plan = MigrationPlanner.plan(request)) {
            assertThat(plan.bitmaps()).singleElement()
                    .isEqualTo(new PublishedBitmap("vda", "disk-a", "b4k", "cbt", 4096, 1L << 30, true, true));
        }
    }

    @Test
    void inconsistentBitmapsAreRefusedWithQemusMessage() {
        Path img = QemuTestData.image("img-broken", dir);
        MigrationRequest request = MigrationRequest.builder().input(new MigrationInput.Qcow2Image(img)).build();
        assertThatThrownBy(() -> MigrationPlanner.plan(request)).isInstanceOf(SelectionException.class)
                .hasMessageMatching("Bitmap '(b64k|b4k|b1m|bdis)' is inconsistent and cannot be used");
    }

    @Test
    void twoImagesOfTheSameNameNeedExplicitNodes() throws IOException {
        Path a = QemuTestData.image("img1", dir);
        Path other = java.nio.file.Files.createDirectory(dir.resolve("other"));
        Path b = QemuTestData.image("img1", other);
        assertThatThrownBy(() -> MigrationPlanner.plan(MigrationRequest.builder().input(new MigrationInput.Qcow2Image(a))
                .input(new MigrationInput.Qcow2Image(b)).build()))
                .hasMessageContaining("node name 'img1' is given twice");
        try (MigrationPlan plan = MigrationPlanner.plan(MigrationRequest.builder()
                .input(new MigrationInput.Qcow2Image(a)).input(new MigrationInput.Qcow2Image(b, "img1b")).build())) {
            assertThat(plan.bitmaps()).hasSize(8);
        }
    }

    @Test
    void aCorruptImageIsRefusedNamingTheFile() throws IOException {
        Path img = QemuTestData.image("img5", dir);
        byte[] b = java.nio.file.Files.readAllBytes(img);
        b[23] = 40; // cluster_bits
        java.nio.file.Files.write(img, b);
        MigrationRequest request = MigrationRequest.builder().input(new MigrationInput.Qcow2Image(img)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MigrationPlanner.plan(request).close())
                .isInstanceOf(IOException.class)
                .hasMessage("qcow2 image " + img + ": corrupt qcow2 header: cluster_bits 40 outside 9..21");
    }
}
