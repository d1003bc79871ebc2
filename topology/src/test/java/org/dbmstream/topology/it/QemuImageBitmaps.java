package org.dbmstream.topology.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.qcow2.Qcow2Bitmap;
import org.dbmstream.qcow2.Qcow2Image;

/**
 * The persistent bitmaps of one shared QEMU image ({@code testdata/qemu/images/*.qcow2.gz}) read with
 * the project's qcow2 reader, ready to migrate: enabled as the image's {@code auto} flag says,
 * persistent, on one node. Inconsistent bitmaps are left out (the source refuses them).
 */
public final class QemuImageBitmaps {

    private QemuImageBitmaps() {
    }

    public static List<MigrationBitmap> read(String image, String nodeAlias, Path workDir) {
        return read(QemuExpected.dir().resolve("images").resolve(image + ".gz"), nodeAlias, workDir);
    }

    /** The bitmaps of the gzipped image {@code gz} (e.g. one of {@code testdata/qcow2-extra}). */
    public static List<MigrationBitmap> read(Path gz, String nodeAlias, Path workDir) {
        Path file = workDir.resolve(gz.getFileName().toString().replaceFirst("\\.gz$", ""));
        try {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            List<MigrationBitmap> out = new ArrayList<>();
            try (Qcow2Image qcow2 = Qcow2Image.open(file)) {
                for (Qcow2Bitmap b : qcow2.bitmaps()) {
                    if (!b.inconsistent()) {
                        out.add(new MigrationBitmap(nodeAlias, b.name(), b.enabled(), b.persistent(), qcow2.load(b.name())));
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the bitmaps of " + gz, e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the temp dir goes with the test
            }
        }
    }
}
