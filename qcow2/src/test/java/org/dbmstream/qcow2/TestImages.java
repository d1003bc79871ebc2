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
        return org.dbmstream.testkit.QemuTestData.dir();
    }

    /** testdata/qcow2-extra: the fixtures make-fixtures.sh made with QEMU. */
    static Path extraDir() {
        return org.dbmstream.testkit.QemuTestData.extraDir();
    }

    /** Gunzips {@code gz} into {@code dir} and returns the image's path. */
    static Path gunzip(Path gz, Path dir) {
        return org.dbmstream.testkit.QemuTestData.gunzip(gz, dir);
    }

    static Path qemuImage(String image, Path dir) {
        return gunzip(qemuDir().resolve("images/" + image + ".gz"), dir);
    }

    static Path extraImage(String image, Path dir) {
        return gunzip(extraDir().resolve(image + ".gz"), dir);
    }
}
