package org.dbmstream.qcow2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of QEMU's answer (sha256.jsonl shape): what QMP reported for one bitmap of one image.
 * The lines are flat objects of strings without escapes, numbers and booleans.
 */
record Expected(String image, long size, String name, long granularity, boolean recording, boolean persistent,
                boolean inconsistent, long count, String sha256) {
    private static final Pattern FIELD = Pattern.compile("\"([a-z0-9_]+)\": (\"([^\"]*)\"|[^,}]+)");

    static List<Expected> read(Path jsonl) {
        try {
            return Files.readAllLines(jsonl, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).map(Expected::parse).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Expected parse(String line) {
        Map<String, String> f = new HashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            f.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2).trim());
        }
        return new Expected(f.get("image"), Long.parseLong(f.get("size")), f.get("name"),
                Long.parseLong(f.get("granularity")), Boolean.parseBoolean(f.get("recording")),
                Boolean.parseBoolean(f.get("persistent")), Boolean.parseBoolean(f.get("inconsistent")),
                Long.parseLong(f.get("count")), f.get("sha256"));
    }

    @Override
    public String toString() {
        return image + " " + name;
    }
}
