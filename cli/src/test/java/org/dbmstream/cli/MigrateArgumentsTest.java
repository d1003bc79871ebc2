package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbm migrate} refuses bad arguments and bad input files with exit 2 and a message naming the
 * option or file, before anything starts (no broker is given: had validation come later, these runs would
 * start the in-process broker and take seconds).
 */
class MigrateArgumentsTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run dbm(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = Dbm.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String img1() {
        return InspectCommandTest.testdata().resolve("images/img1.qcow2.gz").toString();
    }

    @Test
    void inputFilesThatCannotBeMigratedAreNamedOnce(@TempDir final Path tmp) throws IOException {
        final Path dir = Files.createDirectory(tmp.resolve("disk.qcow2"));
        final Path empty = Files.createFile(tmp.resolve("empty.qcow2"));
        final Path text = Files.writeString(tmp.resolve("notes.qcow2"), "hello");
        final Path missing = tmp.resolve("missing.qcow2");

        assertThat(dbm("migrate", dir.toString())).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).startsWith("dbm migrate: " + dir + ": is a directory");
        });
        assertThat(dbm("migrate", empty.toString()).err()).startsWith("dbm migrate: " + empty + ": is empty (0 bytes)");
        assertThat(dbm("migrate", text.toString()).err())
                .startsWith("dbm migrate: " + text + ": neither a qcow2 image nor a QEMU migration stream");
        final Run gone = dbm("migrate", img1(), missing.toString());
        assertThat(gone.exit()).isEqualTo(2);
        assertThat(gone.err()).startsWith("dbm migrate: " + missing + ": no such file\n");
        assertThat(gone.err().split(java.util.regex.Pattern.quote(missing.toString()), -1)).hasSize(2);
    }

    @Test
    void badOptionValuesExitTwoNamingTheOption(@TempDir final Path tmp) {
        final Path nonexist = tmp.resolve("nonexist.json");
        assertThat(dbm("migrate", "--max-bandwidth", "banana", img1())).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).startsWith("dbm migrate: --max-bandwidth: not a size: 'banana'");
            assertThat(r.out()).isEmpty();
        });
        assertThat(dbm("migrate", "--mapping", nonexist.toString(), img1())).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).startsWith("dbm migrate: --mapping " + nonexist + ": no such file");
        });
        assertThat(dbm("migrate", "--timeout", "soon", img1())).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).startsWith("dbm migrate: Invalid value for option '--timeout': 'soon' is not a "
                    + "duration (use a number with ms, s, m, h or d (500ms, 30s, 10m, 2h) or ISO-8601 (PT10M))");
        });
        assertThat(dbm("migrate", "--raw", nonexist.toString(), "--raw-node", "n", "--raw-name", "b",
                "--granularity", "64K", "--disk-size", "1G").err())
                .startsWith("dbm migrate: --raw " + nonexist + ": no such file");
    }

    @Test
    void aMappingThatSelectsNothingPublishesNothing(@TempDir final Path tmp) throws IOException {
        final Path mapping = Files.writeString(tmp.resolve("none.json"),
                "[{\"node-name\": \"img1\", \"alias\": \"disk0\", \"bitmaps\": []}]");

        final Run run = dbm("migrate", "--mapping", mapping.toString(), img1());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("dbm migrate: nothing to migrate: no bitmap of " + img1()
                + " is selected by --mapping " + mapping + "; nothing was published");
    }

    @Test
    void verbosityIsAnOptionOfEverySubcommand() {
        final Run run = dbm("migrate", "-v", "--max-bandwidth", "banana", img1());
        assertThat(run.err()).doesNotContain("Unknown option").contains("not a size");
        assertThat(dbm("inspect", "-vv", img1()).exit()).isZero();
    }

    @Test
    void theTopLevelHelpListsEachCommandOnOneCompleteLine() {
        final Run run = dbm("--help");
        final String oneLine = run.out().replaceAll("\\s+", " ");
        assertThat(oneLine).contains("inspect Prints the dirty bitmaps of qcow2 images and QEMU migration streams "
                + "(plain or gzip). ").doesNotContain("(plain or gzip):");
    }
}
