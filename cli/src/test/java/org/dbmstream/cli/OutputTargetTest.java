package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -o} writes each kind of file as it must be written: a FIFO (standing in for {@code /dev/null} and
 * other special files, made here with mkfifo, never a real device) is written through and stays a FIFO; a
 * symbolic link is followed; a regular file is replaced whole or not at all; an empty name or a directory is
 * a bad argument.
 */
class OutputTargetTest {
    @TempDir
    Path tmp;

    private static String img1() {
        return QemuTestData.file("images/img1.qcow2.gz").toString();
    }

    private static DbmRun export(final Object out) {
        return DbmRun.of("export", img1(), "-o", out.toString());
    }

    private byte[] reference() throws Exception {
        final Path ref = Files.createDirectories(tmp.resolve("ref")).resolve("img1.stream");
        assertThat(export(ref).exit()).isZero();
        return Files.readAllBytes(ref);
    }

    private static boolean regularFile(final Path p) throws Exception {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile();
    }

    @Test
    void aFifoIsWrittenThroughAndStaysAFifo() throws Exception {
        final byte[] expected = reference();
        final Path fifo = tmp.resolve("fifo");
        final Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();
        // the reader of a pipe, as /dev/null would swallow it
        final CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        final DbmRun run = export(fifo);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
        assertThat(Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther())
                .as("still a FIFO").isTrue();
        assertThat(Files.list(tmp).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ref", "fifo");
    }

    @Test
    void aSymbolicLinkIsFollowedAndStaysALink() throws Exception {
        final byte[] expected = reference();
        final Path real = Files.writeString(Files.createDirectories(tmp.resolve("real")).resolve("vm.stream"), "old");
        final Path link = Files.createSymbolicLink(tmp.resolve("link.stream"), Path.of("real/vm.stream"));
        final Path dangling = Files.createSymbolicLink(tmp.resolve("new.stream"), Path.of("real/created.stream"));

        assertThat(export(link).exit()).isZero();
        assertThat(export(dangling).exit()).isZero();

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readAllBytes(real)).isEqualTo(expected);
        assertThat(Files.isSymbolicLink(dangling)).isTrue();
        assertThat(Files.readAllBytes(tmp.resolve("real/created.stream"))).isEqualTo(expected);
        assertThat(Files.list(tmp.resolve("real")).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("vm.stream", "created.stream");
    }

    @Test
    void aRegularFileIsReplacedWholeKeepingItsPermissionsOrNotAtAll() throws Exception {
        final byte[] expected = reference();
        final Path file = Files.writeString(tmp.resolve("vm.stream"), "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        assertThat(export(file).exit()).isZero();
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        assertThat(regularFile(file)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");

        Files.writeString(file, "old");
        final DbmRun broken = DbmRun.of("export", QemuTestData.file("images/img-broken.qcow2.gz").toString(), "-o",
                file.toString());
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(Files.readString(file)).isEqualTo("old");
        assertThat(Files.list(tmp).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ref", "vm.stream");
    }

    @Test
    void unusableNamesAreBadArgumentsAndWriteNothing() throws Exception {
        final DbmRun empty = export("");
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).startsWith("dbm export: -o '': an empty file name (use - for standard output)");
        final DbmRun dir = export(tmp);
        assertThat(dir.exit()).isEqualTo(2);
        assertThat(dir.err()).startsWith("dbm export: -o " + tmp + ": is a directory");
        final DbmRun noDir = export(tmp.resolve("nowhere/x.stream"));
        assertThat(noDir.exit()).isEqualTo(2);
        assertThat(noDir.err()).startsWith("dbm export: -o " + tmp.resolve("nowhere/x.stream") + ": no such directory");
        final DbmRun raw = DbmRun.of("bitmaps", "raw", "--url", "http://127.0.0.1:9", "vm", "d", "b", "-o", "");
        assertThat(raw.exit()).isEqualTo(2);
        assertThat(raw.err()).startsWith("dbm bitmaps raw: -o '': an empty file name");
        assertThat(Files.list(tmp)).isEmpty();
    }

    @Test
    void theStreamNeverReplacesItsOwnInput() throws Exception {
        final Path image = QemuTestData.image("img1", tmp);
        final byte[] before = Files.readAllBytes(image);
        final Path link = Files.createSymbolicLink(tmp.resolve("out"), image.getFileName());
        final DbmRun run = DbmRun.of("export", image.toString(), "-o", link.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("dbm export: -o " + link + " is the input " + image);
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }
}
