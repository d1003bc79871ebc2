package org.dbmstream.bitmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.QemuTestData.QemuBitmap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Bitmaps rebuilt from QEMU's exported dirty ranges hash and count exactly as QEMU reported. */
class QemuGroundTruthTest {

    @ParameterizedTest
    @ValueSource(strings = {"img1", "img2", "img1-empty"})
    void imageBitmapsMatchQemuSha256AndCount(String image) {
        List<QemuBitmap> bitmaps = QemuTestData.nbdBitmaps(image + ".nbd.txt");
        List<JsonNode> expected = QemuTestData.jsonl("sha256.jsonl").stream()
                .filter(j -> j.get("image").asText().equals(image + ".qcow2")).toList();
        assertThat(bitmaps).extracting(QemuBitmap::name)
                .containsExactlyInAnyOrderElementsOf(expected.stream().map(j -> j.get("name").asText()).toList());
        for (QemuBitmap qb : bitmaps) {
            JsonNode want = expected.stream().filter(j -> j.get("name").asText().equals(qb.name())).findFirst()
                    .orElseThrow();
            assertThat(qb.granularity().bytes()).isEqualTo(want.get("granularity").asLong());
            DirtyBitmap b = qb.rebuild(want.get("size").asLong());
            assertThat(b.sha256()).as(image + "/" + qb.name()).isEqualTo(want.get("sha256").asText());
            assertThat(b.count()).as(image + "/" + qb.name()).isEqualTo(want.get("count").asLong());
            assertThat(dirtyRanges(b)).as("extents equal QEMU's NBD export").isEqualTo(flatten(qb.dirty()));
        }
    }

    @Test
    void mig1FinalStatesMatchQemuDestination() {
        List<QemuBitmap> bitmaps = QemuTestData.mig1FinalBitmaps();
        List<JsonNode> expected = QemuTestData.jsonl("streams-sha256.jsonl");
        assertThat(bitmaps).hasSize(expected.size()).hasSize(6);
        for (QemuBitmap qb : bitmaps) {
            JsonNode want = expected.stream().filter(j -> j.get("name").asText().equals(qb.name())).findFirst()
                    .orElseThrow();
            assertThat(qb.node()).isEqualTo(want.get("node").asText());
            assertThat(qb.granularity().bytes()).isEqualTo(want.get("granularity").asLong());
            assertThat(qb.enabled()).isEqualTo(want.get("enabled").asBoolean());
            assertThat(qb.persistent()).isEqualTo(want.get("persistent").asBoolean());
            DirtyBitmap b = qb.rebuild(want.get("size").asLong());
            assertThat(b.sha256()).as(qb.name()).isEqualTo(want.get("sha256").asText());
            assertThat(b.count()).as(qb.name()).isEqualTo(want.get("count").asLong());
        }
    }

    @Test
    void fullBitmapAt512BytesMatchesQemu() {
        // img5: every bit of a 512 B bitmap on a 64 MiB disk is set
        JsonNode want = QemuTestData.jsonl("sha256.jsonl").stream()
                .filter(j -> j.get("image").asText().equals("img5.qcow2")).findFirst().orElseThrow();
        DirtyBitmap b = new DirtyBitmap(want.get("size").asLong(), Granularity.of(want.get("granularity").asLong()));
        b.setRange(0, b.bitCount(), true);
        assertThat(b.sha256()).isEqualTo(want.get("sha256").asText());
        assertThat(b.count()).isEqualTo(want.get("count").asLong());
        assertThat(b.extents()).containsExactly(new Extent(0, b.diskSize(), true));
    }

    @Test
    void streamingDigestOfStoredChunksWithGapsMatchesQemu() {
        // As the destination stores it: only non-zero 1 KiB chunks, zero chunks fed as gaps.
        for (QemuBitmap qb : QemuTestData.nbdBitmaps("img1.nbd.txt")) {
            JsonNode want = QemuTestData.jsonl("sha256.jsonl").stream()
                    .filter(j -> j.get("image").asText().equals("img1.qcow2") && j.get("name").asText().equals(qb.name()))
                    .findFirst().orElseThrow();
            DirtyBitmap b = qb.rebuild(want.get("size").asLong());
            BitmapDigest d = new BitmapDigest(b.granularity());
            byte[] all = b.toBytes();
            for (int off = 0; off < all.length; off += 1024) {
                int len = Math.min(1024, all.length - off);
                boolean zero = true;
                for (int i = off; i < off + len; i++) {
                    zero &= all[i] == 0;
                }
                if (zero) {
                    d.updateZeros(len);
                } else {
                    d.update(all, off, len);
                }
            }
            BitmapDigest.Result r = d.finish();
            assertThat(r.sha256()).isEqualTo(want.get("sha256").asText());
            assertThat(r.count()).isEqualTo(want.get("count").asLong());
            assertThat(r.setBits()).isEqualTo(b.setBits());
        }
    }

    private static List<Long> dirtyRanges(DirtyBitmap b) {
        List<Long> out = new ArrayList<>();
        for (Extent e : b.dirtyExtents()) {
            out.add(e.start());
            out.add(e.end());
        }
        return out;
    }

    private static List<Long> flatten(List<long[]> ranges) {
        List<Long> out = new ArrayList<>();
        for (long[] r : ranges) {
            out.add(r[0]);
            out.add(r[1]);
        }
        return out;
    }
}
