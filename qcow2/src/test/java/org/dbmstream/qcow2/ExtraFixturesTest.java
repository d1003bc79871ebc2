package org.dbmstream.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixtures make-fixtures.sh made with QEMU (odd sizes, 512 B .. 2 GiB granularity, 40 bitmaps, a
 * bitmap table longer than a cluster, 512 B and 1 KiB clusters, UTF-8 names, disabled bitmaps) give
 * exactly QEMU's answers in testdata/qcow2-extra/expected.jsonl.
 */
class ExtraFixturesTest {
    @TempDir
    static Path tmp;
    private static final Map<String, Path> IMAGES = new HashMap<>();

    static List<Expected> answers() {
        return Expected.read(TestImages.extraDir().resolve("expected.jsonl"));
    }

    static synchronized Path image(String name) {
        return IMAGES.computeIfAbsent(name, n -> TestImages.extraImage(n, tmp));
    }

    private static Expected answer(String image, String name) {
        return answers().stream().filter(e -> e.image().equals(image) && e.name().equals(name)).findFirst()
                .orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void bitmapMatchesQemu(Expected qemu) throws IOException {
        QemuAnswers.assertMatches(image(qemu.image()), qemu);
    }

    @Test
    void everyImageListsExactlyQemusBitmaps() throws IOException {
        Map<String, List<String>> byImage = answers().stream().collect(
                Collectors.groupingBy(Expected::image, Collectors.mapping(Expected::name, Collectors.toList())));
        assertThat(byImage).hasSize(8);
        for (var e : byImage.entrySet()) {
            try (Qcow2Image img = Qcow2Image.open(image(e.getKey()))) {
                assertThat(img.bitmaps()).extracting(Qcow2Bitmap::name)
                        .as(e.getKey()).containsExactlyInAnyOrderElementsOf(e.getValue());
            }
        }
    }

    @Test
    void fixturesCoverTheShapesTheyClaim() throws IOException {
        try (Qcow2Image img = Qcow2Image.open(image("longtable.qcow2"))) {
            Qcow2Bitmap fine = img.bitmap("fine").orElseThrow();
            assertThat(img.clusterSize()).isEqualTo(512);
            assertThat(fine.tableSize() * 8L).as("table bytes").isGreaterThan(img.clusterSize());
        }
        try (Qcow2Image img = Qcow2Image.open(image("many.qcow2"))) {
            assertThat(img.bitmaps()).hasSize(40);
        }
        try (Qcow2Image img = Qcow2Image.open(image("g2g.qcow2"))) {
            assertThat(img.bitmap("g2g").orElseThrow().granularity().bytes()).isEqualTo(1L << 31);
            assertThat(img.bitmap("g2g").orElseThrow().bitCount()).isEqualTo(3);
        }
        try (Qcow2Image img = Qcow2Image.open(image("huge.qcow2"))) {
            // 256 MiB of bitmap: more than the test JVM's heap (-Xmx96m), so it can only be streamed.
            assertThat(img.bitmap("huge").orElseThrow().serializedSize()).isEqualTo(256L << 20);
            assertThat(Runtime.getRuntime().maxMemory()).as("test heap").isLessThan(256L << 20);
        }
        try (Qcow2Image img = Qcow2Image.open(image("odd64m.qcow2"))) {
            assertThat(img.virtualSize() % 65536).as("partial last granule").isNotZero();
        }
    }

    /**
     * QEMU hashes bits past the disk's end that a file holds in the bitmap's last word, but does not
     * count them; the in-memory DirtyBitmap drops them, so it hashes like the clean image.
     */
    @Test
    void bitsPastTheEndAreHashedButNotCountedAsQemuDoes() throws IOException {
        Expected tail = answer("odd1m-tailbits.qcow2", "g64k");
        Expected clean = answer("odd1m.qcow2", "g64k");
        assertThat(tail.sha256()).isNotEqualTo(clean.sha256());
        try (Qcow2Image img = Qcow2Image.open(image("odd1m-tailbits.qcow2"))) {
            BitmapData data = img.data("g64k");
            assertThat(data.setBitsPastEnd()).isPositive();
            assertThat(data.digest().sha256()).isEqualTo(tail.sha256());
            assertThat(data.digest().count()).isEqualTo(tail.count());
            assertThat(data.load().sha256()).isEqualTo(clean.sha256());
            assertThat(data.load().count()).isEqualTo(clean.count());
        }
    }
}
