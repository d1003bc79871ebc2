package org.dbmstream.cli.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import org.dbmstream.cli.TextTable;
import org.dbmstream.source.ByteSize;
import org.dbmstream.source.sync.BitmapOutcome;
import org.dbmstream.source.sync.RoundResult;

/** One line per bitmap per round and a round summary, as text or as JSON objects (one per line). */
final class RoundPrinter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final boolean json;
    private final boolean wide;

    RoundPrinter(PrintWriter out, boolean json, boolean wide) {
        this.out = out;
        this.json = json;
        this.wide = wide;
    }

    void print(RoundResult r) {
        for (BitmapOutcome b : r.bitmaps()) {
            out.println(json ? json(r.round(), b) : line(r.round(), b, wide));
        }
        out.println(json ? json(r) : line(r));
        out.flush();
    }

    static String line(int round, BitmapOutcome b, boolean wide) {
        String what = switch (b.result()) {
            case UNCHANGED -> "unchanged";
            case DELTA -> "delta " + b.chunks() + " chunk(s), " + ByteSize.of(b.bytes());
            case FULL -> "full (" + b.detail() + ") " + b.chunks() + " chunk(s), " + ByteSize.of(b.bytes());
            case REMOVED -> "removed";
            case FAILED -> "failed: " + b.detail();
        };
        String version = b.sha256() == null ? "" : "  count " + b.count() + " sha256 " + TextTable.digest(b.sha256(), wide);
        return "round " + round + ": " + b.id() + "  " + what + version;
    }

    static String line(RoundResult r) {
        return String.format(Locale.ROOT, "round %d done in %.1f s: %d unchanged, %d delta, %d full, %d removed, "
                + "%d failed; %d migration(s), %d records, %s", r.round(), r.millis() / 1000.0,
                r.count(BitmapOutcome.Result.UNCHANGED), r.count(BitmapOutcome.Result.DELTA),
                r.count(BitmapOutcome.Result.FULL), r.count(BitmapOutcome.Result.REMOVED),
                r.count(BitmapOutcome.Result.FAILED), r.migrations().size(), r.records(),
                ByteSize.of(r.bytes()));
    }

    static String json(int round, BitmapOutcome b) {
        ObjectNode n = JSON.createObjectNode().put("type", "bitmap").put("round", round)
                .put("target", b.id().target()).put("node", b.id().node()).put("name", b.id().bitmap())
                .put("result", b.result().name().toLowerCase(Locale.ROOT)).put("chunks", b.chunks())
                .put("bytes", b.bytes());
        n.put("sha256", b.sha256());
        if (b.count() >= 0) {
            n.put("count", b.count());
        } else {
            n.putNull("count");
        }
        n.put("detail", b.detail());
        return n.toString();
    }

    static String json(RoundResult r) {
        ObjectNode n = JSON.createObjectNode().put("type", "round").put("round", r.round());
        for (BitmapOutcome.Result k : BitmapOutcome.Result.values()) {
            n.put(k.name().toLowerCase(Locale.ROOT), r.count(k));
        }
        r.migrations().forEach(n.putArray("migrations")::add);
        n.put("records", r.records()).put("bytes", r.bytes()).put("millis", r.millis());
        return n.toString();
    }
}
