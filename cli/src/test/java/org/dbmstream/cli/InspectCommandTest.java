package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dbm inspect} against QEMU's own answers in testdata/qemu/expected. */
class InspectCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path testdata() {
        return QemuTestData.dir();
    }

    private record Run(int exit, String out, String err) {
        List<JsonNode> json() throws IOException {
            final List<JsonNode> rows = new ArrayList<>();
            for (final String line : out.split("\n")) {
                if (!line.isBlank()) {
                    rows.add(JSON.readTree(line));
                }
            }
            return rows;
        }
    }

    private static Run dbm(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = Dbm.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Map<String, JsonNode> expected(final String file, final String fileKey) throws IOException {
        final Map<String, JsonNode> byKey = new HashMap<>();
        for (final String line : Files.readAllLines(testdata().resolve("expected").resolve(file))) {
            if (!line.isBlank()) {
                final JsonNode n = JSON.readTree(line);
                byKey.put(n.get(fileKey).asText() + "/" + n.get("name").asText(), n);
            }
        }
        return byKey;
    }

    @Test
    void everySharedImagePrintsQemusValues() throws IOException {
        final Map<String, JsonNode> qemu = expected("sha256.jsonl", "image");
        final List<String> images;
        try (Stream<Path> s = Files.list(testdata().resolve("images"))) {
            images = s.map(Path::toString).sorted().toList();
        }
        final List<String> args = new ArrayList<>(List.of("inspect", "--json"));
        args.addAll(images);
        final Run run = dbm(args.toArray(String[]::new));

        assertThat(run.exit()).as(run.err()).isZero();
        final List<JsonNode> rows = run.json();
        assertThat(rows).hasSize(qemu.size());
        for (final JsonNode row : rows) {
            assertThat(row.properties()).extracting(Map.Entry::getKey).containsExactly("file", "node", "name",
                    "granularity", "size", "enabled", "persistent", "count", "sha256", "inconsistent");
            final String image = Path.of(row.get("file").asText()).getFileName().toString().replace(".gz", "");
            final JsonNode q = qemu.get(image + "/" + row.get("name").asText());
            assertThat(q).as("QEMU reported %s/%s", image, row.get("name")).isNotNull();
            // the node name dbm migrate gives the image
            assertThat(row.get("node").asText()).isEqualTo(image.replace(".qcow2", ""));
            assertThat(row.get("inconsistent").asBoolean()).isEqualTo(q.get("inconsistent").asBoolean());
            assertThat(row.get("granularity").asLong()).isEqualTo(q.get("granularity").asLong());
            assertThat(row.get("size").asLong()).isEqualTo(q.get("size").asLong());
            assertThat(row.get("enabled").asBoolean()).isEqualTo(q.get("recording").asBoolean());
            assertThat(row.get("persistent").asBoolean()).isEqualTo(q.get("persistent").asBoolean());
            assertThat(row.get("count").asLong()).isEqualTo(q.get("count").asLong());
            assertThat(row.get("sha256").asText()).isEqualTo(q.get("sha256").asText());
        }
    }

    @Test
    void streamsPrintTheBitmapsQemuLoadedFromThem() throws IOException {
        final Map<String, JsonNode> qemu = expected("streams-sha256.jsonl", "stream");
        final Path streams = testdata().resolve("streams");
        final Run run = dbm("inspect", "--json", streams.resolve("mig1-min.stream").toString(),
                streams.resolve("mig1.stream.gz").toString());

        assertThat(run.exit()).as(run.err()).isZero();
        final List<JsonNode> rows = run.json();
        assertThat(rows).hasSize(2 * qemu.size());
        for (final JsonNode row : rows) {
            final JsonNode q = qemu.get("mig1/" + row.get("name").asText());
            assertThat(q).isNotNull();
            assertThat(row.get("node").asText()).isEqualTo(q.get("node").asText());
            assertThat(row.get("size").asLong()).isEqualTo(q.get("size").asLong());
            assertThat(row.get("granularity").asLong()).isEqualTo(q.get("granularity").asLong());
            assertThat(row.get("enabled").asBoolean()).isEqualTo(q.get("enabled").asBoolean());
            assertThat(row.get("persistent").asBoolean()).isEqualTo(q.get("persistent").asBoolean());
            assertThat(row.get("count").asLong()).isEqualTo(q.get("count").asLong());
            assertThat(row.get("sha256").asText()).isEqualTo(q.get("sha256").asText());
        }
    }

    @Test
    void badFilesFailWithOneLineEachWhileOthersStillPrint(@TempDir final Path tmp) throws IOException {
        final Path garbage = Files.write(tmp.resolve("garbage.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        final Path missing = tmp.resolve("missing.qcow2");
        final Path good = testdata().resolve("images/img1.qcow2.gz");
        final Path broken = testdata().resolve("images/img-broken.qcow2.gz");

        final Path empty = Files.createFile(tmp.resolve("empty.qcow2"));
        final Path dir = Files.createDirectory(tmp.resolve("dir.qcow2"));

        final Run run = dbm("inspect", "--json", garbage.toString(), missing.toString(), good.toString(),
                broken.toString(), empty.toString(), dir.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.json()).hasSize(8).filteredOn(r -> r.get("inconsistent").asBoolean()).hasSize(4)
                .allSatisfy(r -> assertThat(r.get("file").asText()).endsWith("img-broken.qcow2.gz"));
        final List<String> errors = run.err().lines().toList();
        assertThat(errors).hasSize(4);
        assertThat(errors.get(0)).isEqualTo("dbm inspect: " + garbage
                + ": neither a qcow2 image nor a QEMU migration stream (unknown magic 01020304)");
        assertThat(errors.get(1)).isEqualTo("dbm inspect: " + missing + ": no such file");
        assertThat(errors.get(2)).isEqualTo("dbm inspect: " + empty
                + ": is empty (0 bytes), not a qcow2 image or migration stream");
        assertThat(errors.get(3)).startsWith("dbm inspect: " + dir + ": is a directory");
    }

    @Test
    void inconsistentBitmapsShowTheirStateAndAnImageWithoutBitmapsSaysSo() {
        final Path plain = testdata().getParent().resolve("qcow2-extra/plain.qcow2.gz");
        final Run run = dbm("inspect", testdata().resolve("images/img-broken.qcow2.gz").toString(), plain.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).isEqualTo("dbm inspect: " + plain + ": no dirty bitmaps\n");
        final List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).contains("FLAGS");
        assertThat(lines).hasSize(5);
        assertThat(lines.subList(1, 5)).allSatisfy(l -> assertThat(l).contains(" img-broken ").contains("pi "));
        final List<String> wide = dbm("inspect", "--wide", testdata().resolve("images/img-broken.qcow2.gz").toString())
                .out().lines().toList();
        assertThat(wide.get(0)).contains("STATE");
        assertThat(wide.subList(1, 5)).allSatisfy(l -> assertThat(l).contains(" inconsistent "));
    }

    @Test
    void theTableAlignsWideNames() {
        final StringWriter out = new StringWriter();
        ReportPrinter.table(List.of(
                new BitmapReport("a.qcow2", "a", "増分バックアップ", 65536, 1L << 30, true, true, 0, "x"),
                new BitmapReport("a.qcow2", "a", "plain", 65536, 1L << 30, true, true, 0, "x")), new PrintWriter(out),
                true);

        final List<String> lines = out.toString().lines().toList();
        // the GRANULARITY column (numbers: right-aligned) ends in the same terminal column on every row
        final String header = lines.get(0);
        final int column = DisplayWidth.of(header.substring(0, header.indexOf("GRANULARITY") + "GRANULARITY".length()));
        for (final String line : lines.subList(1, lines.size())) {
            assertThat(DisplayWidth.of(line.substring(0, line.indexOf("64K") + 3))).as(line).isEqualTo(column);
        }
        assertThat(DisplayWidth.of("増分")).isEqualTo(4);
    }

    @Test
    void tableShowsOneRowPerBitmapWithReadableUnits() {
        final Run run = dbm("inspect", testdata().resolve("images/img1.qcow2.gz").toString());

        assertThat(run.exit()).as(run.err()).isZero();
        final List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).startsWith("FILE").contains("GRAN").endsWith("SHA256");
        assertThat(lines.get(1)).startsWith("img1.qcow2.gz  img1  ");
        assertThat(lines).hasSize(5).allSatisfy(l -> assertThat(DisplayWidth.of(l)).as(l).isLessThanOrEqualTo(100));
        assertThat(lines.get(2)).contains("b4k").contains("4K").contains("1G").contains("1122304").contains(" ep- ")
                .endsWith("86467c2cf44c...");

        final List<String> wide = dbm("inspect", "-w", testdata().resolve("images/img1.qcow2.gz").toString()).out()
                .lines().toList();
        assertThat(wide.get(0)).startsWith("FILE").contains("GRANULARITY").contains("PERSISTENT").endsWith("SHA256");
        assertThat(wide.get(2)).endsWith("86467c2cf44c292e86722ab6b0786ec51e20b4df4840807876efd29f31fae048");
    }
}
