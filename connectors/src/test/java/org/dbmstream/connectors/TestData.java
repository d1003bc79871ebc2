package org.dbmstream.connectors;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** QEMU's ground truth under testdata/qemu. */
final class TestData {
    private TestData() {
    }

    static Path dir() {
        String prop = System.getProperty("dbm.testdata.dir");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop);
        }
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata/qemu"))) {
                return p.resolve("testdata/qemu");
            }
        }
        throw new IllegalStateException("testdata/qemu not found");
    }

    /** Unpacks images/NAME.qcow2.gz into {@code dir} as NAME.qcow2. */
    static Path image(String name, Path dir) {
        Path out = dir.resolve(name + ".qcow2");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir().resolve("images/" + name + ".qcow2.gz")))) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of expected/sha256.jsonl for {@code image} (e.g. "img1.qcow2"). */
    static List<JsonNode> expected(String image) {
        return jsonl("expected/sha256.jsonl", "image", image);
    }

    static List<JsonNode> jsonl(String file, String field, String value) {
        try {
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(dir().resolve(file))) {
                if (!line.isBlank()) {
                    JsonNode n = json.readTree(line);
                    if (n.path(field).asText().equals(value)) {
                        out.add(n);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
