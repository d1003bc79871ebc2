package org.dbmstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real QEMU postcopy migration under {@code testdata/qemu/postcopy/NAME}: its stream
 * ({@code postcopy.stream.gz}), the writes made on the destination during postcopy ({@code writes.txt},
 * {@code NODE OFFSET LENGTH} per line) and what QEMU reported ({@code result.json}): every bitmap on the
 * source before, and on the destination once the migration completed, with QEMU's sha256 and count; and the
 * block-bitmap-mapping both sides used ({@code mappingJson}, null when none). {@code make-postcopy.py} beside
 * them made them with QEMU.
 */
public record PostcopyFixture(String name, Path dir, List<Bitmap> source, List<Bitmap> destination,
        String mappingJson) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One bitmap as QEMU reported it (QMP {@code query-block} and {@code x-debug-block-dirty-bitmap-sha256}). */
    public record Bitmap(String node, String name, long granularity, long count, boolean recording,
            boolean persistent, String sha256) {
    }

    /** One write on the destination, in bytes. */
    public record Write(String node, long offset, long length) {
    }

    /** The fixture {@code testdata/qemu/postcopy/NAME}. */
    public static PostcopyFixture load(String name) {
        Path dir = QemuTestData.dir().resolve("postcopy").resolve(name);
        try {
            JsonNode result = JSON.readTree(dir.resolve("result.json").toFile());
            JsonNode mapping = result.get("mapping");
            return new PostcopyFixture(name, dir, bitmaps(result.get("source")), bitmaps(result.get("destination")),
                    mapping == null ? null : JSON.writeValueAsString(mapping));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of every fixture under {@code testdata/qemu/postcopy}, sorted. */
    public static List<String> names() {
        try (var list = Files.list(QemuTestData.dir().resolve("postcopy"))) {
            return list.filter(p -> Files.isRegularFile(p.resolve("result.json")))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path stream() {
        return dir.resolve("postcopy.stream.gz");
    }

    public Path writesFile() {
        return dir.resolve("writes.txt");
    }

    /** The destination writes, in order. */
    public List<Write> writes() {
        try {
            List<Write> out = new ArrayList<>();
            for (String line : Files.readAllLines(writesFile())) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && !line.startsWith("#")) {
                    out.add(new Write(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Bitmap> bitmaps(JsonNode array) {
        List<Bitmap> out = new ArrayList<>();
        for (JsonNode b : array) {
            out.add(new Bitmap(b.get("node").asText(), b.get("name").asText(), b.get("granularity").asLong(),
                    b.get("count").asLong(), b.get("recording").asBoolean(), b.get("persistent").asBoolean(),
                    b.get("sha256").asText()));
        }
        return out;
    }
}
