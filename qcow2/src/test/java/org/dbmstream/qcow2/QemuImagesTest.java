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

/** Every bitmap of every image in testdata/qemu/images gives exactly what QEMU reported (sha256.jsonl). */
class QemuImagesTest {
    @TempDir
    static Path tmp;
    private static final Map<String, Path> IMAGES = new HashMap<>();

    static List<Expected> answers() {
        return Expected.read(TestImages.qemuDir().resolve("expected/sha256.jsonl"));
    }

    static synchronized Path image(String name) {
        return IMAGES.computeIfAbsent(name, n -> TestImages.qemuImage(n, tmp));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void bitmapMatchesQemu(Expected qemu) throws IOException {
        QemuAnswers.assertMatches(image(qemu.image()), qemu);
        if (!qemu.inconsistent()) {
            try (Qcow2Image img = Qcow2Image.open(image(qemu.image()))) {
                // Nothing here has bits past the disk's end, so the in-memory bitmap hashes like QEMU too.
                assertThat(img.load(qemu.name()).sha256()).isEqualTo(qemu.sha256());
            }
        }
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
}
