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
        String prop = System.getProperty("dbm.testdata.dir");
        if (prop != null && Files.isDirectory(Paths.get(prop))) {
            return Paths.get(prop);
        }
        for (Path p = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata/qemu");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("testdata/qemu not found");
    }

    public static Path file(String relative) {
        return dir().resolve(relative);
    }

    /** The bytes of {@code relative}, gunzipped if it ends in .gz. */
    public static byte[] bytes(String relative) {
        try (InputStream raw = Files.newInputStream(file(relative));
                InputStream in = relative.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
