package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.QemuVm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 end to end, as the README walks it: a qcow2 image goes through {@code dbm migrate} into a running
 * {@code dbm destination} (its own JVM, query API on a free port), comes back out with
 * {@code dbm export --replica URL --target T}, and a fresh QEMU loads that stream with {@code migrate-incoming}:
 * every bitmap has QEMU's own sha256 of the original image. Target and bitmap names carry spaces and UTF-8.
 * Then {@code dbm export --into-qcow2} stores the replica into a fresh qcow2 image, whose bitmaps dbm's own qcow2
 * reader ({@code dbm inspect}) and QEMU ({@code qemu-img info}, a QEMU opening the image) both find equal to the
 * original's; exporting into it a second time is refused, naming the bitmaps the image holds, before QEMU starts.
 */
class ReplicaBackIntoQemuIT {
    private static final String TARGET = "vm 7/für";
    private static final String NODE = "names";
    private static final long WAIT_S = 120;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anImageMigratedToTheReplicaLoadsBackIntoQemuWithQemusSha256(@TempDir final Path tmp) throws Exception {
        assumeTrue(QemuTools.available("qemu-system-x86_64", "qemu-img"), "QEMU is not installed");
        final Path image = QemuTestData.gunzip(QemuTestData.extraDir().resolve("names.qcow2.gz"), tmp);
        final List<JsonNode> expected = QemuTestData.jsonl("../qcow2-extra/expected.jsonl", "image", "names.qcow2");
        try (EmbeddedRuntime broker = EmbeddedRuntime.startBroker()) {
            final Process destination = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), Dbm.class.getName(), "destination",
                    "--bootstrap-servers", broker.bootstrapServers(), "--state-dir", tmp.resolve("state").toString(),
                    "--application-id", "replica-it", "--http-host", "127.0.0.1", "--http-port", "0",
                    "--advertised-host", "127.0.0.1").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                final BlockingQueue<String> lines = DestinationCommandIT.follow(destination);
                final String api = DestinationCommandIT.awaitLine(lines, "Query API on");
                assertThat(api).as("the destination announces its query API").isNotNull();
                final String url = api.replaceAll("^Query API on (\\S+) .*$", "$1");

                final DbmRun migrate = DbmRun.of("migrate", "--bootstrap-servers", broker.bootstrapServers(),
                        "--target", TARGET, "--timeout", "2m", image.toString());
                assertThat(migrate.exit()).as(migrate.out() + migrate.err()).isZero();

                readBack(tmp, url, expected);

                final Path stream = tmp.resolve("replica.stream");
                final DbmRun export = DbmRun.of("export", "--replica", url, "--target", TARGET, "--node", NODE,
                        "--timeout", "PT2M", "-o", stream.toString());
                assertThat(export.exit()).as(export.out() + export.err()).isZero();

                final Path fresh = tmp.resolve("fresh.qcow2");
                final Process img = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", fresh.toString(),
                        expected.get(0).get("size").asText()).inheritIO().start();
                assertThat(img.waitFor(60, TimeUnit.SECONDS) && img.exitValue() == 0).isTrue();
                try (QemuVm vm = QemuVm.start(tmp, List.of("-incoming", "defer",
                        "-blockdev", "driver=file,filename=" + fresh + ",node-name=f0",
                        "-blockdev", "driver=qcow2,file=f0,node-name=" + NODE))) {
                    assertThat(vm.loadBitmapStream(stream)).as(vm.log()).isEqualTo("completed");
                    assertThat(vm.bitmaps(NODE)).hasSize(expected.size());
                    for (final JsonNode e : expected) {
                        final String name = e.get("name").asText();
                        assertThat(vm.sha256(NODE, name)).as(name).isEqualTo(e.get("sha256").asText());
                    }
                }
                intoQcow2(tmp, url, expected);

                // a second node on the target: without --node, --into-qcow2 refuses before fetching a bitmap
                final DbmRun second = DbmRun.of("migrate", "--bootstrap-servers", broker.bootstrapServers(),
                        "--target", TARGET, "--node", "other", "--timeout", "2m", image.toString());
                assertThat(second.exit()).as(second.out() + second.err()).isZero();
                final DbmRun two = DbmRun.of("export", "--replica", url, "--target", TARGET, "--timeout", "2m",
                        "--into-qcow2", tmp.resolve(NODE + ".qcow2").toString());
                assertThat(two.exit()).isEqualTo(2);
                assertThat(two.err()).startsWith("dbm export: --into-qcow2 stores the bitmaps of one node into one "
                        + "image, but the export selects the nodes ").doesNotContain("fetched");
            } finally {
                destination.toHandle().destroy();
                if (!destination.waitFor(WAIT_S, TimeUnit.SECONDS)) {
                    destination.destroyForcibly();
                }
            }
        }
    }

    /**
     * {@code dbm bitmaps list} fits 100 columns; {@code dbm bitmaps raw -o FILE} says what it wrote, and the file
     * holds QEMU's bitmap: its sha256 (zero-padded to whole 8-byte words, as QEMU hashes) is QEMU's.
     */
    private static void readBack(final Path tmp, final String url, final List<JsonNode> expected) throws Exception {
        final DbmRun list = DbmRun.of("bitmaps", "list", "--url", url, TARGET);
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out().lines()).hasSize(expected.size() + 1)
                .allSatisfy(l -> assertThat(DisplayWidth.of(l)).as(l).isLessThanOrEqualTo(100));
        // the targets: the count, and once the destination summarized them, their state and freshness
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            final DbmRun targets = DbmRun.of("bitmaps", "list", "--url", url);
            assertThat(targets.exit()).as(targets.err()).isZero();
            assertThat(targets.out().lines().findFirst().orElseThrow()).contains("TARGET").contains("BITMAPS")
                    .contains("STATE").contains("FRESHNESS");
            final String line = targets.out().lines().filter(l -> l.startsWith(TARGET + " ")).findFirst().orElseThrow();
            assertThat(line).contains(" " + expected.size() + " ");
            if (!line.contains(" - ")) {
                assertThat(line).containsAnyOf(" current ", " lagging ").contains(" ago");
                break;
            }
            assertThat(System.nanoTime()).as("the target's state within 30 s: " + line).isLessThan(deadline);
            Thread.sleep(500);
        }
        for (final JsonNode e : expected) {
            final String name = e.get("name").asText();
            final Path raw = tmp.resolve("raw-" + Integer.toHexString(name.hashCode()) + ".bin");
            final DbmRun run = DbmRun.of("bitmaps", "raw", "--url", url, TARGET, NODE, name, "-o", raw.toString());
            assertThat(run.exit()).as(run.err()).isZero();
            final long bits = (e.get("size").asLong() + e.get("granularity").asLong() - 1)
                    / e.get("granularity").asLong();
            assertThat(Files.size(raw)).as(name).isEqualTo((bits + 7) / 8);
            assertThat(run.err()).isEqualTo("wrote " + Files.size(raw) + " bytes (bitmap '" + name + "' of node '" + NODE
                    + "' on '" + TARGET + "', QEMU's layout) to " + raw + "\n");
            final byte[] padded = java.util.Arrays.copyOf(Files.readAllBytes(raw), (int) ((Files.size(raw) + 7) / 8 * 8));
            assertThat(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(padded))).as(name).isEqualTo(e.get("sha256").asText());
        }
    }

    /** {@code dbm export --replica ... --into-qcow2 IMAGE}: the image holds the original's bitmaps. */
    private static void intoQcow2(final Path tmp, final String url, final List<JsonNode> expected) throws Exception {
        final Path image = tmp.resolve(NODE + ".qcow2");
        final Process img = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", image.toString(),
                expected.get(0).get("size").asText()).inheritIO().start();
        assertThat(img.waitFor(60, TimeUnit.SECONDS) && img.exitValue() == 0).isTrue();
        final DbmRun into = DbmRun.of("export", "--replica", url, "--target", TARGET, "--node", NODE,
                "--timeout", "PT2M", "--into-qcow2", image.toString());
        assertThat(into.exit()).as(into.err()).isZero();
        assertThat(into.err()).contains("stored " + expected.size() + " persistent bitmap(s) in " + image)
                .as("the stream went to a temporary file: nothing to tell about it").doesNotContain("wrote");

        // dbm's own qcow2 reader
        final DbmRun inspect = DbmRun.of("inspect", "--json", image.toString());
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        final Map<String, JsonNode> read = new HashMap<>();
        for (final String line : inspect.out().lines().toList()) {
            final JsonNode b = JSON.readTree(line);
            read.put(b.get("name").asText(), b);
        }
        // QEMU: qemu-img info (flags, granularity) and a QEMU that opens the image (sha256)
        final Process info = new ProcessBuilder("qemu-img", "info", "--output=json", image.toString()).start();
        final JsonNode qemuImg = JSON.readTree(info.getInputStream());
        assertThat(info.waitFor(60, TimeUnit.SECONDS) && info.exitValue() == 0).isTrue();
        final Map<String, JsonNode> listed = new HashMap<>();
        qemuImg.path("format-specific").path("data").path("bitmaps").forEach(b -> listed.put(b.get("name").asText(), b));
        assertThat(read).hasSize(expected.size());
        assertThat(listed).hasSize(expected.size());
        try (QemuVm vm = QemuVm.start(tmp, List.of("-blockdev", "driver=file,filename=" + image + ",node-name=f1",
                "-blockdev", "driver=qcow2,file=f1,node-name=" + NODE))) {
            for (final JsonNode e : expected) {
                final String name = e.get("name").asText();
                assertThat(read.get(name).get("sha256").asText()).as(name).isEqualTo(e.get("sha256").asText());
                assertThat(read.get(name).get("count").asLong()).as(name).isEqualTo(e.get("count").asLong());
                assertThat(listed.get(name).get("granularity").asLong()).as(name).isEqualTo(e.get("granularity").asLong());
                assertThat(listed.get(name).get("flags").toString().contains("auto")).as(name + " recording")
                        .isEqualTo(e.get("recording").asBoolean());
                assertThat(vm.sha256(NODE, name)).as(name).isEqualTo(e.get("sha256").asText());
            }
        }
        final DbmRun again = DbmRun.of("export", "--replica", url, "--target", TARGET, "--node", NODE,
                "--timeout", "PT2M", "--into-qcow2", image.toString());
        assertThat(again.exit()).isEqualTo(1);
        // the clash is found in the image before QEMU starts, and named alone (after the bitmaps fetched)
        assertThat(again.err()).contains("dbm export: fetched " + NODE + "/")
                .contains("(" + expected.size() + " of " + expected.size() + ")");
        assertThat(again.err().lines().filter(l -> !l.startsWith("dbm export: fetched "))).singleElement()
                .asString().startsWith("dbm: image " + image + " already holds bitmaps ")
                .contains("remove them first (qemu-img bitmap --remove").doesNotContain("starting");
    }
}
