package org.dbmstream.bitmap.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dbmstream.bitmap.QemuTestData;

/** The chunks QEMU wrote in {@code streams/mig1-min.stream}, as decoded in {@code mig1-min.chunks.txt}. */
final class Mig1Chunks {
    private static final Pattern CHUNK = Pattern.compile("^\\s+\\[(START|PART|END) @0x[0-9a-f]+] flags=0x[0-9a-f]+ \\(([A-Z_|]+)\\)(.*)$");

    private Mig1Chunks() {
    }

    /** One decoded chunk: its stream section and a normalized description. */
    record QemuChunk(String section, String description) {
    }

    static List<QemuChunk> all() {
        List<QemuChunk> out = new ArrayList<>();
        for (String line : QemuTestData.lines("mig1-min.chunks.txt")) {
            Matcher m = CHUNK.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String flags = m.group(2);
            String rest = m.group(3);
            String desc;
            if (flags.contains("START")) {
                desc = "START " + field(rest, "bm") + " gran=" + field(rest, "gran") + " bflags=" + field(rest, "bflags");
            } else if (flags.contains("BITS")) {
                desc = "BITS " + field(rest, "bm") + " " + field(rest, "start_sector") + "+" + field(rest, "nr_sectors")
                        + (flags.contains("ZEROES") ? " ZEROES" : " buf=" + field(rest, "buf_size"));
            } else if (flags.contains("COMPLETE")) {
                desc = "COMPLETE " + field(rest, "bm");
            } else {
                desc = "EOS";
            }
            out.add(new QemuChunk(m.group(1), desc));
        }
        return out;
    }

    static List<String> section(String section) {
        return all().stream().filter(c -> c.section().equals(section)).map(QemuChunk::description).toList();
    }

    /** Our chunk in the same normalized form. */
    static String describe(Chunk c) {
        if (c instanceof Chunk.Start s) {
            return "START " + s.bitmapAlias() + " gran=" + s.granularity() + " bflags=" + String.format("0x%02x", s.flags());
        } else if (c instanceof Chunk.Bits b) {
            return "BITS " + b.bitmapAlias() + " " + b.firstSector() + "+" + b.sectors()
                    + (b.zeroes() ? " ZEROES" : " buf=" + b.payload().length);
        } else if (c instanceof Chunk.Complete k) {
            return "COMPLETE " + k.bitmapAlias();
        }
        return "EOS";
    }

    private static String field(String rest, String name) {
        Matcher m = Pattern.compile(name + "=('([^']*)'|(\\S+))").matcher(rest);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + rest);
        }
        return m.group(2) != null ? m.group(2) : m.group(3);
    }
}
