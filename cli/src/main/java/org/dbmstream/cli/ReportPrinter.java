package org.dbmstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;

/** Prints bitmap reports as an aligned table or as JSON lines with a fixed set of keys. */
public final class ReportPrinter {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
    private static final String[] HEADER =
            {"FILE", "NODE", "NAME", "GRANULARITY", "SIZE", "ENABLED", "PERSISTENT", "STATE", "COUNT", "SHA256"};

    private ReportPrinter() {
    }

    /** One JSON object per line with exactly the keys the issue fixes, in that order. */
    static String json(final BitmapReport r) {
        final ObjectNode o = JSON.createObjectNode();
        o.put("file", r.file());
        if (r.node() == null) {
            o.putNull("node");
        } else {
            o.put("node", r.node());
        }
        o.put("name", r.name());
        o.put("granularity", r.granularity());
        o.put("size", r.size());
        o.put("enabled", r.enabled());
        o.put("persistent", r.persistent());
        o.put("count", r.count());
        o.put("sha256", r.sha256());
        o.put("inconsistent", r.inconsistent());
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void table(final List<BitmapReport> reports, final PrintWriter out) {
        final String[][] rows = new String[reports.size() + 1][];
        rows[0] = HEADER;
        for (int i = 0; i < reports.size(); i++) {
            final BitmapReport r = reports.get(i);
            rows[i + 1] = new String[] {r.file(), r.node() == null ? "-" : r.node(), r.name(),
                human(r.granularity()), human(r.size()), yesNo(r.enabled()), yesNo(r.persistent()),
                r.inconsistent() ? "inconsistent" : "ok", Long.toString(r.count()), r.sha256()};
        }
        final int[] width = new int[HEADER.length];
        for (final String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], DisplayWidth.of(row[c]));
            }
        }
        for (final String[] row : rows) {
            final StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == 0 ? "" : "  ");
                line.append(c == row.length - 1 ? row[c] : pad(row[c], width[c]));
            }
            out.println(line);
        }
        out.flush();
    }

    /** Bytes as QEMU-style binary units when exact (64K, 1G), else the plain number. */
    public static String human(final long bytes) {
        final String[] units = {"", "K", "M", "G", "T", "P"};
        long v = bytes;
        int u = 0;
        while (v != 0 && v % 1024 == 0 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return v + units[u];
    }

    private static String yesNo(final boolean b) {
        return b ? "yes" : "no";
    }

    private static String pad(final String s, final int w) {
        final int shown = DisplayWidth.of(s);
        return shown >= w ? s : s + " ".repeat(w - shown);
    }
}
