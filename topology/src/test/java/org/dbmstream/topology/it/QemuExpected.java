package org.dbmstream.topology.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * QEMU's own results in {@code testdata/qemu/expected} (found through {@code dbm.testdata.dir}, else by
 * walking up from the working directory): what the topology's BitmapCompleted events must equal.
 */
final class QemuExpected {

    /** One bitmap as QEMU reported it: {@code source} is the image or stream it belongs to. */
    record Bitmap(String source, String name, long granularity, long size, boolean enabled, boolean persistent,
            boolean inconsistent, long count, String sha256) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private QemuExpected() {
    }

    static Path dir() {
        return org.dbmstream.testkit.QemuTestData.dir();
    }

    /** Every line of {@code expected/sha256.jsonl}: the bitmaps of the shared qcow2 images. */
    static List<Bitmap> images() {
        List<Bitmap> out = new ArrayList<>();
        for (JsonNode n : jsonl("sha256.jsonl")) {
            out.add(new Bitmap(n.get("image").asText(), n.get("name").asText(), n.get("granularity").asLong(),
                    n.get("size").asLong(), n.get("recording").asBoolean(), n.get("persistent").asBoolean(),
                    n.get("inconsistent").asBoolean(), n.get("count").asLong(), n.get("sha256").asText()));
        }
        return out;
    }

    /** Every line of {@code expected/streams-sha256.jsonl}: QEMU's destination state after loading a stream. */
    static List<Bitmap> streams() {
        List<Bitmap> out = new ArrayList<>();
        for (JsonNode n : jsonl("streams-sha256.jsonl")) {
            out.add(new Bitmap(n.get("stream").asText(), n.get("name").asText(), n.get("granularity").asLong(),
                    n.get("size").asLong(), n.get("enabled").asBoolean(), n.get("persistent").asBoolean(),
                    false, n.get("count").asLong(), n.get("sha256").asText()));
        }
        return out;
    }

    private static List<JsonNode> jsonl(String file) {
        return org.dbmstream.testkit.QemuTestData.jsonl("expected/" + file);
    }
}
