package org.dbmstream.bitmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads QEMU's ground truth in {@code testdata/qemu} (found through {@code dbm.testdata.dir}, else by
 * walking up from the working directory): the sha256/count lines and the dirty ranges QEMU exported.
 */
public final class QemuTestData {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("\\[0x([0-9a-f]+),0x([0-9a-f]+)\\)");
    private static final Pattern NBD_LINE = Pattern.compile("^(\\S+) gran=(\\d+) flags=\\[(.*)] dirty=(.*)$");
    private static final Pattern FINAL_LINE = Pattern.compile(
            "^(\\S+)/(\\S+) gran=(\\d+) enabled=(True|False) persistent=(True|False) complete=\\S+ dirty=(.*)$");

    private QemuTestData() {
    }

    /** A bitmap as QEMU described it: name, granularity, flags and dirty byte ranges [start, end). */
    public record QemuBitmap(String node, String name, Granularity granularity, boolean enabled,
            boolean persistent, List<long[]> dirty) {

        /** Rebuilds the bitmap from its dirty ranges on a disk of {@code diskSize} bytes. */
        public DirtyBitmap rebuild(long diskSize) {
            DirtyBitmap b = new DirtyBitmap(diskSize, granularity);
            for (long[] r : dirty) {
                b.markDirty(r[0], r[1] - r[0]);
            }
            return b;
        }
    }

    public static Path dir() {
        return org.dbmstream.testkit.QemuTestData.dir();
    }

    public static List<String> lines(String expectedFile) {
        try {
            return Files.readAllLines(dir().resolve("expected").resolve(expectedFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<JsonNode> jsonl(String expectedFile) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines(expectedFile)) {
            if (!line.isBlank()) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    /** The bitmaps of one {@code *.nbd.txt} file (no node; enabled when flagged 'auto'). */
    public static List<QemuBitmap> nbdBitmaps(String file) {
        List<QemuBitmap> out = new ArrayList<>();
        for (String line : lines(file)) {
            Matcher m = NBD_LINE.matcher(line);
            if (m.matches()) {
                out.add(new QemuBitmap(null, m.group(1), Granularity.of(Long.parseLong(m.group(2))),
                        m.group(3).contains("auto"), true, ranges(m.group(4))));
            }
        }
        return out;
    }

    /** The final-state lines of {@code mig1-min.chunks.txt}, in stream order. */
    public static List<QemuBitmap> mig1FinalBitmaps() {
        List<QemuBitmap> out = new ArrayList<>();
        for (String line : lines("mig1-min.chunks.txt")) {
            Matcher m = FINAL_LINE.matcher(line);
            if (m.matches()) {
                out.add(new QemuBitmap(m.group(1), m.group(2), Granularity.of(Long.parseLong(m.group(3))),
                        m.group(4).equals("True"), m.group(5).equals("True"), ranges(m.group(6))));
            }
        }
        return out;
    }

    private static List<long[]> ranges(String s) {
        List<long[]> out = new ArrayList<>();
        Matcher m = RANGE.matcher(s);
        while (m.find()) {
            out.add(new long[] {Long.parseLong(m.group(1), 16), Long.parseLong(m.group(2), 16)});
        }
        return out;
    }
}
