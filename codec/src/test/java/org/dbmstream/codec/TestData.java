package org.dbmstream.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.GZIPInputStream;

/** Locates QEMU's ground truth ({@code testdata/qemu}) for tests. */
public final class TestData {
    private TestData() {
    }

    /** From system property {@code dbm.testdata.dir}, else the nearest {@code testdata/qemu} above user.dir. */
    public static Path dir() {
        return org.dbmstream.testkit.QemuTestData.dir();
    }

    public static Path file(String relative) {
        return dir().resolve(relative);
    }

    /** The bytes of {@code relative}, gunzipped if it ends in .gz. */
    public static byte[] bytes(String relative) {
        return org.dbmstream.testkit.QemuTestData.bytes(relative);
    }
}
