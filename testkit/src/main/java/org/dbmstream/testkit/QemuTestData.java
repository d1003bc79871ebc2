package org.dbmstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * QEMU's ground truth for tests: {@code testdata/qemu} (images, streams and the values QEMU reported for
 * them) and {@code testdata/qcow2-extra} (more images QEMU made). Found through the system property
 * {@code dbm.testdata.dir} (set by Surefire/Failsafe), else by walking up from the working directory.
 */
public final class QemuTestData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QemuTestData() {
    }

    /** The {@code testdata/qemu} folder. */
    public static Path dir() {
        final String prop = System.getProperty("dbm.testdata.dir");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop);
        }
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata/qemu"))) {
                return p.resolve("testdata/qemu");
            }
        }
        throw new IllegalStateException("testdata/qemu not found from " + System.getProperty("user.dir")
                + " (set -Ddbm.testdata.dir)");
    }

    /** The {@code testdata/qcow2-extra} folder: images made by its make-fixtures.sh with QEMU. */
    public static Path extraDir() {
        return dir().resolveSibling("qcow2-extra");
    }

    /** A file under {@code testdata/qemu}, e.g. {@code streams/mig1-min.stream}. */
    public static Path file(final String relative) {
        return dir().resolve(relative);
    }

    /** The bytes of a file under {@code testdata/qemu}, gunzipped if its name ends in .gz. */
    public static byte[] bytes(final String relative) {
        try (InputStream raw = Files.newInputStream(file(relative));
                InputStream in = relative.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gunzips {@code gz} into {@code into} (its name without .gz) and returns the result. */
    public static Path gunzip(final Path gz, final Path into) {
        final Path out = into.resolve(gz.getFileName().toString().replaceFirst("\\.gz$", ""));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Unpacks {@code images/NAME.qcow2.gz} into {@code into} as NAME.qcow2. */
    public static Path image(final String name, final Path into) {
        return gunzip(file("images/" + name + ".qcow2.gz"), into);
    }

    /** Every object of a JSON-lines file under {@code testdata/qemu}, e.g. {@code expected/sha256.jsonl}. */
    public static List<JsonNode> jsonl(final String relative) {
        try {
            final List<JsonNode> out = new ArrayList<>();
            for (final String line : Files.readAllLines(file(relative))) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of a JSON-lines file whose {@code field} is {@code value}. */
    public static List<JsonNode> jsonl(final String relative, final String field, final String value) {
        return jsonl(relative).stream().filter(n -> n.path(field).asText().equals(value)).toList();
    }

    /**
     * One bitmap of a {@code *.nbd.txt} file: its dirty byte ranges {@code [start, end)} as QEMU exports them over
     * NBD (the {@code qemu:dirty-bitmap} context), adjacent ranges merged.
     */
    public record NbdDirty(String name, long granularity, boolean enabled, List<long[]> ranges) {
    }

    private static final Pattern NBD_LINE = Pattern.compile("(\\S+) gran=(\\d+) flags=\\[([^]]*)] dirty=(.*)");
    private static final Pattern NBD_RANGE = Pattern.compile("\\[0x([0-9a-f]+),0x([0-9a-f]+)\\)");

    /** The bitmaps of a {@code *.nbd.txt} file (lines of names without spaces), in file order. */
    public static List<NbdDirty> nbdDirty(final Path file) {
        final List<NbdDirty> out = new ArrayList<>();
        try {
            for (final String line : Files.readAllLines(file)) {
                final Matcher m = NBD_LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                final List<long[]> ranges = new ArrayList<>();
                final Matcher r = NBD_RANGE.matcher(m.group(4));
                while (r.find()) {
                    ranges.add(new long[] {Long.parseLong(r.group(1), 16), Long.parseLong(r.group(2), 16)});
                }
                out.add(new NbdDirty(m.group(1), Long.parseLong(m.group(2)), m.group(3).contains("auto"), ranges));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** QEMU's sha256/count lines of one shared image (e.g. {@code img1.qcow2}). */
    public static List<JsonNode> expected(final String image) {
        return jsonl("expected/sha256.jsonl", "image", image);
    }
}
