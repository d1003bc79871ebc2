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
import org.dbmstream.testkit.PostcopyFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbm migrate} as a user runs it, with no broker given: the in-process broker and destination
 * start, and the printed events carry QEMU's own sha256 and count.
 */
class MigrateCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int exit, String out, String err) {
        List<JsonNode> events() throws IOException {
            final List<JsonNode> rows = new ArrayList<>();
            for (final String line : out.split("\n")) {
                if (line.startsWith("{")) {
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

    @Test
    void migratesAnImageAndPrintsQemusSha256AndCount() throws IOException {
        final Path testdata = InspectCommandTest.testdata();
        final Map<String, JsonNode> qemu = new HashMap<>();
        for (final String line : Files.readAllLines(testdata.resolve("expected/sha256.jsonl"))) {
            final JsonNode n = JSON.readTree(line);
            if (n.get("image").asText().equals("img1.qcow2")) {
                qemu.put(n.get("name").asText(), n);
            }
        }

        final Run run = dbm("migrate", "--json", "--migration-id", "it-img1", "--target", "vm7",
                testdata.resolve("images/img1.qcow2.gz").toString());

        assertThat(run.exit()).as(run.err()).isZero();
        final List<JsonNode> events = run.events();
        final List<JsonNode> completed = events.stream()
                .filter(e -> e.get("type").asText().equals("BitmapCompleted")).toList();
        assertThat(completed).hasSize(qemu.size());
        for (final JsonNode e : completed) {
            final JsonNode q = qemu.get(e.get("name").asText());
            assertThat(e.get("migration").asText()).isEqualTo("it-img1");
            assertThat(e.get("target").asText()).isEqualTo("vm7");
            assertThat(e.get("node").asText()).isEqualTo("img1");
            assertThat(e.get("granularity").asLong()).isEqualTo(q.get("granularity").asLong());
            assertThat(e.get("size").asLong()).isEqualTo(q.get("size").asLong());
            assertThat(e.get("enabled").asBoolean()).isEqualTo(q.get("recording").asBoolean());
            assertThat(e.get("persistent").asBoolean()).isTrue();
            assertThat(e.get("count").asLong()).isEqualTo(q.get("count").asLong());
            assertThat(e.get("sha256").asText()).isEqualTo(q.get("sha256").asText());
        }
        assertThat(events.get(events.size() - 1).get("type").asText()).isEqualTo("MigrationCompleted");
    }

    @Test
    void aCancelledMigrationExitsNonZeroWithQemusReason(@TempDir final Path tmp) throws IOException {
        final Path mapping = Files.writeString(tmp.resolve("dst.json"),
                "[{\"node-name\": \"disk9\", \"alias\": \"other\", \"bitmaps\": []}]");

        final Run run = dbm("migrate", "--json", "--destination-mapping", mapping.toString(),
                InspectCommandTest.testdata().resolve("images/img1.qcow2.gz").toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.events()).last().satisfies(e -> {
            assertThat(e.get("type").asText()).isEqualTo("MigrationCancelled");
            assertThat(e.get("reason").asText()).isEqualTo("Error: Unknown node alias 'img1'");
        });
        assertThat(run.err()).contains("cancelled").contains("Error: Unknown node alias 'img1'");
    }

    @Test
    void aRawBitmapBuiltFromQemusExtentsArrivesWithQemusSha256(@TempDir final Path tmp) throws IOException {
        // img1's b64k as QEMU exported it over NBD: 1 GiB disk, 64 KiB granules
        final String line = Files.readAllLines(InspectCommandTest.testdata().resolve("expected/img1.nbd.txt"))
                .stream().filter(l -> l.startsWith("b64k ")).findFirst().orElseThrow();
        final byte[] bits = new byte[(int) ((1L << 30) / 65536 / 8)];
        final java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\\[0x([0-9a-f]+),0x([0-9a-f]+)\\)").matcher(line);
        while (m.find()) {
            for (long k = Long.parseLong(m.group(1), 16) / 65536; k * 65536 < Long.parseLong(m.group(2), 16); k++) {
                bits[(int) (k / 8)] |= (byte) (1 << (k % 8));
            }
        }
        final Path raw = Files.write(tmp.resolve("b64k.bin"), bits);

        final Run run = dbm("migrate", "--json", "--raw", raw.toString(), "--raw-node", "img1", "--raw-name", "b64k",
                "--granularity", "64K", "--disk-size", "1G", "--raw-enabled", "--raw-persistent");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.events()).filteredOn(e -> e.get("type").asText().equals("BitmapCompleted")).singleElement()
                .satisfies(e -> {
                    assertThat(e.get("count").asLong()).isEqualTo(1245184L);
                    assertThat(e.get("sha256").asText())
                            .isEqualTo("ba1e06c1151d529c11c7cc5a151892d2864e3e68a7d4978f4cf46032e31992c1");
                });
    }

    @Test
    void aQemuPostcopyStreamWithDestinationWritesEndsAsOnQemusDestination() throws IOException {
        final PostcopyFixture pc1 = PostcopyFixture.load("pc1");

        final Run run = dbm("migrate", "--json", "--target", "vm1", pc1.stream().toString(), "--writes",
                pc1.writesFile().toString());

        assertThat(run.exit()).as(run.err()).isZero();
        final List<JsonNode> finals = run.events().stream()
                .filter(e -> e.get("type").asText().equals("BitmapFinal")).toList();
        assertThat(finals).hasSameSizeAs(pc1.destination());
        for (final PostcopyFixture.Bitmap q : pc1.destination()) {
            assertThat(finals).filteredOn(e -> e.get("name").asText().equals(q.name())).singleElement()
                    .satisfies(e -> {
                        assertThat(e.get("sha256").asText()).isEqualTo(q.sha256());
                        assertThat(e.get("count").asLong()).isEqualTo(q.count());
                        assertThat(e.get("recording").asBoolean()).isEqualTo(q.recording());
                        assertThat(e.get("persistent").asBoolean()).isEqualTo(q.persistent());
                        assertThat(e.get("target").asText()).isEqualTo("vm1");
                    });
        }
        assertThat(run.events()).filteredOn(e -> e.get("type").asText().equals("SwitchedOver")).hasSize(1);
    }

    @Test
    void demoComparesEveryBitmapWithQemu() throws IOException {
        final Run run = dbm("demo");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("2 of 2 migrations completed; 21 of 21 bitmaps completed, 0 differ from QEMU.");
        final List<String> table = run.out().lines().dropWhile(l -> !l.startsWith("NODE")).takeWhile(l -> !l.isEmpty())
                .toList();
        assertThat(table.get(0)).matches("NODE +BITMAP +GRAN +ENABLED +COUNT +QEMU COUNT +SHA256 +QEMU SHA256 +RESULT");
        assertThat(table).hasSize(22).allSatisfy(l -> assertThat(DisplayWidth.of(l)).as(l).isLessThanOrEqualTo(100));
        // each row: the destination's count and sha256 next to QEMU's, from testdata/qemu/expected
        final Map<String, JsonNode> qemu = new HashMap<>();
        for (final String line : Files.readAllLines(InspectCommandTest.testdata().resolve("expected/sha256.jsonl"))) {
            final JsonNode n = JSON.readTree(line);
            qemu.put(n.get("image").asText().replace(".qcow2", "") + "/" + n.get("name").asText(), n);
        }
        assertThat(table.subList(1, 22)).allSatisfy(l -> {
            final String[] c = l.trim().split(" +");
            assertThat(c[c.length - 1]).isEqualTo("equal");
            assertThat(c[4]).isEqualTo(c[5]);
            assertThat(c[6]).isEqualTo(c[7]).endsWith("...");
            final JsonNode q = qemu.get(c[0] + "/" + c[1]);
            if (q != null) {
                assertThat(c[5]).isEqualTo(q.get("count").asText());
                assertThat(q.get("sha256").asText()).startsWith(c[7].replace("...", ""));
            }
        });
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingStarts(@TempDir final Path tmp) throws IOException {
        final Path notJson = Files.writeString(tmp.resolve("map.json"), "{not json");

        final Run run = dbm("migrate", "--mapping", notJson.toString(),
                InspectCommandTest.testdata().resolve("images/img1.qcow2.gz").toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("dbm migrate: --mapping " + notJson + ": ").contains("block-bitmap-mapping");
    }
}
