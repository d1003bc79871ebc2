package org.dbmstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapStarted;
import org.dbmstream.schemas.BitmapUpdated;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.BitmapNow;
import org.dbmstream.schemas.SwitchedOver;
import org.dbmstream.schemas.WritesApplied;

/**
 * Each bitmap's state at the end of a postcopy migration, from the destination's events. The answers to a
 * write barrier (WritesApplied, one per loading partition) are authoritative: each holds its partition's
 * bitmaps after every write published before the barrier. Without them: the completion, then any update by
 * destination writes or by the switchover. After the switchover every enabled bitmap records writes, as
 * QEMU's destination does once its VM runs.
 */
final class FinalStates {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One bitmap as the destination holds it now. */
    record Bitmap(String migration, String target, String node, String name, long granularity, boolean enabled,
            boolean persistent, Boolean recording, long count, String sha256) {
    }

    private final Map<String, Bitmap> bitmaps = new LinkedHashMap<>();
    /** The bitmaps as the barrier's answers gave them (node/name to state). */
    private final Map<String, Bitmap> applied = new LinkedHashMap<>();
    private boolean switchedOver;

    /** Takes one event into account. */
    void accept(final Event e) {
        final Object body = e.getBody();
        final String key = e.getNode() + "/" + e.getBitmap();
        if (body instanceof SwitchedOver) {
            switchedOver = true;
        } else if (body instanceof WritesApplied w) {
            for (final BitmapNow b : w.getBitmaps()) {
                applied.put(b.getNode() + "/" + b.getBitmap(), new Bitmap(e.getMigration(), e.getTarget(),
                        b.getNode(), b.getBitmap(), b.getGranularity(), b.getEnabled(), b.getPersistent(),
                        b.getRecording(), b.getCount(), b.getSha256()));
            }
        } else if (body instanceof BitmapStarted s) {
            bitmaps.put(key, new Bitmap(e.getMigration(), e.getTarget(), e.getNode(), e.getBitmap(),
                    s.getGranularity(), s.getEnabled(), s.getPersistent(), null, -1, null));
        } else if (body instanceof BitmapCompleted c) {
            bitmaps.put(key, new Bitmap(e.getMigration(), e.getTarget(), e.getNode(), e.getBitmap(),
                    c.getGranularity(), c.getEnabled(), c.getPersistent(), null, c.getCount(), c.getSha256()));
        } else if (body instanceof BitmapUpdated u) {
            final Bitmap b = bitmaps.get(key);
            if (b != null) {
                bitmaps.put(key, new Bitmap(b.migration(), b.target(), b.node(), b.name(), b.granularity(),
                        u.getEnabled(), b.persistent(), u.getRecording(), u.getCount(), u.getSha256()));
            }
        }
    }

    /** Whether the migration switched over (its destination VM started). */
    boolean postcopy() {
        return switchedOver;
    }

    /** The completed bitmaps, in the order they started. */
    List<Bitmap> completed() {
        if (!applied.isEmpty()) {
            final List<Bitmap> out = new ArrayList<>();
            bitmaps.keySet().stream().filter(applied::containsKey).forEach(k -> out.add(applied.get(k)));
            applied.forEach((k, b) -> {
                if (!bitmaps.containsKey(k)) {
                    out.add(b);
                }
            });
            return out;
        }
        final List<Bitmap> out = new ArrayList<>();
        for (final Bitmap b : bitmaps.values()) {
            if (b.sha256() != null) {
                out.add(b.recording() != null ? b : new Bitmap(b.migration(), b.target(), b.node(), b.name(),
                        b.granularity(), b.enabled(), b.persistent(), b.enabled() && switchedOver, b.count(),
                        b.sha256()));
            }
        }
        return out;
    }

    static String line(final Bitmap b) {
        return String.format("%-19s %s %s:%s/%s granularity=%s enabled=%s recording=%s persistent=%s count=%d"
                + " sha256=%s", "Final", b.migration(), b.target(), b.node(), b.name(),
                ReportPrinter.human(b.granularity()), b.enabled(), b.recording(), b.persistent(), b.count(),
                b.sha256());
    }

    static String json(final Bitmap b) {
        final ObjectNode o = JSON.createObjectNode();
        o.put("type", "BitmapFinal");
        o.put("migration", b.migration());
        o.put("target", b.target());
        o.put("node", b.node());
        o.put("name", b.name());
        o.put("granularity", b.granularity());
        o.put("enabled", b.enabled());
        o.put("recording", b.recording());
        o.put("persistent", b.persistent());
        o.put("count", b.count());
        o.put("sha256", b.sha256());
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
