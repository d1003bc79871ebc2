package org.dbmstream.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parser of QEMU's decoded chunk list {@code expected/mig1-min.chunks.txt}. */
public final class GoldenChunks {
    /** One {@code [KIND @0xOFF] flags=...} line; absent numbers are -1, absent names null. */
    public record Line(String section, long offset, int flags, String dev, String bm, long gran, int bflags,
            long startSector, long nrSectors, long bufSize) {
    }

    /** One {@code @0xOFF SECTION_X id=N 'name' inst=I ver=V} line. */
    public record SectionLine(long offset, String type, long id, String name, long instance, long version) {
    }

    /** One final-state line {@code node/name gran=.. enabled=.. persistent=.. complete=.. dirty=[a,b),...}. */
    public record Final(String node, String name, long gran, boolean enabled, boolean persistent, boolean complete,
            List<long[]> dirty) {
    }

    private static final Pattern CHUNK = Pattern.compile(
            "\\s*\\[(\\w+) @0x([0-9a-f]+)] flags=0x([0-9a-f]+) \\([A-Z_|]*\\)(.*)");
    private static final Pattern SECTION = Pattern.compile(
            "@0x([0-9a-f]+) (SECTION_\\w+) id=(\\d+) '([^']*)' inst=(\\d+) ver=(\\d+)");
    private static final Pattern FINAL = Pattern.compile(
            "(\\S+)/(\\S+) gran=(\\d+) enabled=(\\w+) persistent=(\\w+) complete=(\\w+) dirty=(.*)");
    private static final Pattern RANGE = Pattern.compile("\\[0x([0-9a-f]+),0x([0-9a-f]+)\\)");

    public final List<Line> chunks = new ArrayList<>();
    public final List<SectionLine> sections = new ArrayList<>();
    public final List<Final> finals = new ArrayList<>();

    public static GoldenChunks load() {
        GoldenChunks g = new GoldenChunks();
        try {
            for (String line : Files.readAllLines(TestData.file("expected/mig1-min.chunks.txt"))) {
                g.parse(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return g;
    }

    private void parse(String line) {
        Matcher m = CHUNK.matcher(line);
        if (m.matches()) {
            String rest = m.group(4);
            chunks.add(new Line(m.group(1), Long.parseLong(m.group(2), 16), Integer.parseInt(m.group(3), 16),
                    str(rest, "dev"), str(rest, "bm"), num(rest, "gran", 10), (int) num(rest, "bflags=0x", 16),
                    num(rest, "start_sector", 10), num(rest, "nr_sectors", 10), num(rest, "buf_size", 10)));
            return;
        }
        m = SECTION.matcher(line);
        if (m.matches()) {
            sections.add(new SectionLine(Long.parseLong(m.group(1), 16), m.group(2), Long.parseLong(m.group(3)),
                    m.group(4), Long.parseLong(m.group(5)), Long.parseLong(m.group(6))));
            return;
        }
        m = FINAL.matcher(line);
        if (m.matches()) {
            List<long[]> dirty = new ArrayList<>();
            Matcher r = RANGE.matcher(m.group(7));
            while (r.find()) {
                dirty.add(new long[] {Long.parseLong(r.group(1), 16), Long.parseLong(r.group(2), 16)});
            }
            finals.add(new Final(m.group(1), m.group(2), Long.parseLong(m.group(3)), bool(m.group(4)),
                    bool(m.group(5)), bool(m.group(6)), dirty));
        }
    }

    private static boolean bool(String s) {
        return Boolean.parseBoolean(s.toLowerCase());
    }

    private static String str(String rest, String key) {
        Matcher m = Pattern.compile("\\b" + key + "='([^']*)'").matcher(rest);
        return m.find() ? m.group(1) : null;
    }

    private static long num(String rest, String key, int radix) {
        String k = key.endsWith("0x") ? key : key + "=";
        Matcher m = Pattern.compile("\\b" + Pattern.quote(k) + "([0-9a-f]+)").matcher(rest);
        return m.find() ? Long.parseLong(m.group(1), radix) : -1;
    }
}
