package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dbm export} as a user runs it on images (QEMU loading the result is proven in module export). */
class ExportCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int exit, String out, String err) {
    }

    private static Run dbm(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = Dbm.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void writesAStreamWithQemusBitmaps(@TempDir final Path tmp) throws Exception {
        final Path stream = tmp.resolve("img1.stream");
        final Run export = dbm("export", QemuTestData.file("images/img1.qcow2.gz").toString(), "-o", stream.toString());
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(export.err()).contains("wrote 4 bitmap(s)");
        assertThat(tmp.resolve("img1.stream.part")).doesNotExist();

        final Run inspect = dbm("inspect", "--json", stream.toString());
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        final List<JsonNode> qemu = QemuTestData.expected("img1.qcow2");
        final List<String> lines = inspect.out().lines().toList();
        assertThat(lines).hasSize(qemu.size());
        for (final String line : lines) {
            final JsonNode b = JSON.readTree(line);
            final JsonNode q = qemu.stream().filter(e -> e.get("name").asText().equals(b.get("name").asText()))
                    .findFirst().orElseThrow();
            assertThat(b.get("sha256").asText()).isEqualTo(q.get("sha256").asText());
            assertThat(b.get("count").asLong()).isEqualTo(q.get("count").asLong());
            assertThat(b.get("node").asText()).isEqualTo("img1");
        }
    }

    @Test
    void badArgumentsAndUnreadableInputsWriteNothing(@TempDir final Path tmp) throws Exception {
        final Path stream = tmp.resolve("x.stream");
        assertThat(dbm("export", "-o", stream.toString()).exit()).isEqualTo(2);
        assertThat(dbm("export", "--replica", "http://127.0.0.1:9", "-o", stream.toString()).err())
                .contains("--replica needs --target");
        // --timeout takes the short forms migrate takes (the README's "60s"); an unreachable API is exit 1
        final Run unreachable = dbm("export", "--replica", "http://127.0.0.1:9", "--target", "t", "--timeout", "5s",
                "-o", stream.toString());
        assertThat(unreachable.exit()).as(unreachable.err()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot reach the dbm-stream query API at http://127.0.0.1:9")
                .contains("--replica URL");
        final Run broken = dbm("export", QemuTestData.file("images/img-broken.qcow2.gz").toString(), "-o",
                stream.toString());
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.err()).contains("inconsistent");
        assertThat(Files.list(tmp)).isEmpty();
    }

    @Test
    void intoQcow2NeedsAnExistingImageAndAStreamFile(@TempDir final Path tmp) throws Exception {
        final String img1 = QemuTestData.file("images/img1.qcow2.gz").toString();
        final Run neither = dbm("export", img1);
        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err()).contains("give -o FILE (the stream), --into-qcow2 IMAGE, or both");
        assertThat(dbm("export", img1, "-o", "-", "--into-qcow2", tmp.resolve("x.qcow2").toString()).err())
                .contains("--into-qcow2 needs the stream in a file");
        final Run missing = dbm("export", img1, "--into-qcow2", tmp.resolve("missing.qcow2").toString());
        assertThat(missing.exit()).isEqualTo(1);
        // the image is checked once QEMU is found; without QEMU the error names the packages to install
        assertThat(missing.err()).containsAnyOf("missing.qcow2 does not exist; create it first: qemu-img create",
                "install Debian's qemu-system-x86 and qemu-utils");
        assertThat(Files.list(tmp)).isEmpty();
    }

    @Test
    void intoQcow2RefusesBitmapsOfTwoNodesBeforeWritingAnything(@TempDir final Path tmp) throws Exception {
        final Run two = dbm("export", QemuTestData.file("images/img1.qcow2.gz").toString(),
                QemuTestData.file("images/img2.qcow2.gz").toString(), "--into-qcow2", tmp.resolve("x.qcow2").toString());

        assertThat(two.exit()).isEqualTo(2);
        assertThat(two.err()).startsWith("dbm export: --into-qcow2 stores the bitmaps of one node into one image, but "
                + "the export selects the nodes img1, img2: choose one with --node (replica) or --mapping; nothing "
                + "was written\n").doesNotContain("wrote").doesNotContain("starting");
        assertThat(Files.list(tmp)).isEmpty();
    }
}
