package org.dbmstream.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dbmstream.bitmap.Extent;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Dirty ranges equal what QEMU exports over NBD (qemu-nbd -B + qemu-img map), testdata/qemu/expected/*.nbd.txt. */
class NbdRangesTest {
    private static final Pattern LINE = Pattern.compile("(\\S+) gran=(\\d+) flags=\\[(.*)] dirty=(.*)");
    private static final Pattern RANGE = Pattern.compile("\\[0x([0-9a-f]+),0x([0-9a-f]+)\\)");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} against {1}")
    @CsvSource({"img1.qcow2, img1.nbd.txt", "img1.qcow2, img1-conv.nbd.txt", "img1-empty.qcow2, img1-empty.nbd.txt",
            "img2.qcow2, img2.nbd.txt"})
    void dirtyRangesEqualQemuNbdExport(String image, String nbd) throws IOException {
        List<String> lines = Files.readAllLines(TestImages.qemuDir().resolve("expected/" + nbd));
        assertThat(lines).isNotEmpty();
        try (Qcow2Image img = Qcow2Image.open(TestImages.qemuImage(image, tmp))) {
            assertThat(img.bitmaps()).hasSize(lines.size());
            for (String line : lines) {
                Matcher m = LINE.matcher(line);
                assertThat(m.matches()).as(line).isTrue();
                Qcow2Bitmap bm = img.bitmap(m.group(1)).orElseThrow();
                assertThat(bm.granularity().bytes()).isEqualTo(Long.parseLong(m.group(2)));
                assertThat(bm.enabled()).as("auto flag of " + bm.name()).isEqualTo(m.group(3).contains("'auto'"));
                List<String> expected = new ArrayList<>();
                Matcher r = RANGE.matcher(m.group(4));
                while (r.find()) {
                    expected.add(range(Long.parseLong(r.group(1), 16), Long.parseLong(r.group(2), 16)));
                }
                List<String> actual = img.load(bm.name()).dirtyExtents().stream()
                        .map(e -> range(e.start(), e.end())).toList();
                assertThat(actual).as(bm.name()).containsExactlyElementsOf(expected);
                assertThat(img.load(bm.name()).dirtyExtents()).allMatch(Extent::dirty);
            }
        }
    }

    private static String range(long start, long end) {
        return String.format("[0x%x,0x%x)", start, end);
    }
}
