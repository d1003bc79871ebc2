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

    /**
     * The bitmaps as a table: narrow by default (file names without their directory, flags in one column, digests
     * cut), every column, whole paths and whole digests when {@code wide}.
     */
    static void table(final List<BitmapReport> reports, final PrintWriter out, final boolean wide) {
        final TextTable table = wide
                ? new TextTable("FILE", "NODE", "NAME", ">GRANULARITY", ">SIZE", "ENABLED", "PERSISTENT", "STATE",
                        ">COUNT", "SHA256")
                : new TextTable("FILE", "NODE", "NAME", ">GRAN", ">SIZE", "FLAGS", ">COUNT", "SHA256");
        // a narrow table names files by their name, unless two files of one name are listed
        final boolean names = reports.stream().map(BitmapReport::file).distinct()
                .map(f -> java.nio.file.Path.of(f).getFileName()).distinct().count()
                == reports.stream().map(BitmapReport::file).distinct().count();
        for (final BitmapReport r : reports) {
            final String node = r.node() == null ? "-" : r.node();
            if (wide) {
                table.add(r.file(), node, r.name(), human(r.granularity()), human(r.size()), yesNo(r.enabled()),
                        yesNo(r.persistent()), r.inconsistent() ? "inconsistent" : "ok", Long.toString(r.count()),
                        r.sha256());
            } else {
                table.add(names ? java.nio.file.Path.of(r.file()).getFileName().toString() : r.file(), node, r.name(),
                        human(r.granularity()), human(r.size()), flags(r),
                        Long.toString(r.count()), TextTable.digest(r.sha256(), false));
            }
        }
        table.print(out);
    }

    /** e: enabled (recording), p: persistent, i: inconsistent (qcow2 in_use: QEMU refuses to use it). */
    private static String flags(final BitmapReport r) {
        return (r.enabled() ? "e" : "-") + (r.persistent() ? "p" : "-") + (r.inconsistent() ? "i" : "-");
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

}
