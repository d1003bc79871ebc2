package org.dbmstream.qcow2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/** Finds QEMU's ground truth (testdata/qemu and testdata/qcow2-extra) and gunzips images to temp files. */
final class TestImages {
    private TestImages() {
    }

    /** testdata/qemu: the {@code dbm.testdata.dir} property, else found walking up from user.dir. */
    static Path qemuDir() {
        String prop = System.getProperty("dbm.testdata.dir");
        if (prop != null && Files.isDirectory(Paths.get(prop))) {
            return Paths.get(prop);
        }
        for (Path p = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata/qemu"))) {
                return p.resolve("testdata/qemu");
            }
        }
        throw new IllegalStateException("testdata/qemu not found from " + System.getProperty("user.dir"));
    }

    /** testdata/qcow2-extra: the fixtures make-fixtures.sh made with QEMU. */
    static Path extraDir() {
        return qemuDir().resolveSibling("qcow2-extra");
    }

    /** Gunzips {@code gz} into {@code dir} and returns the image's path. */
    static Path gunzip(Path gz, Path dir) {
        String name = gz.getFileName().toString().replaceFirst("\\.gz$", "");
        Path out = dir.resolve(name);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Path qemuImage(String image, Path dir) {
        return gunzip(qemuDir().resolve("images/" + image + ".gz"), dir);
    }

    static Path extraImage(String image, Path dir) {
        return gunzip(extraDir().resolve(image + ".gz"), dir);
    }
}
