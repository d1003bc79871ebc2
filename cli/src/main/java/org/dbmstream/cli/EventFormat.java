package org.dbmstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapStarted;
import org.dbmstream.schemas.BitmapUpdated;
import org.dbmstream.schemas.CompletedBitmap;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.schemas.WritesApplied;

/** Renders destination events as one readable line or one JSON object each. */
final class EventFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventFormat() {
    }

    /** The event's type: the name of its body record (BitmapCompleted, MigrationFailed, ...). */
    static String type(final Event e) {
        return e.getBody().getClass().getSimpleName();
    }

    static String json(final Event e) {
        final ObjectNode o = JSON.createObjectNode();
        o.put("type", type(e));
        o.put("migration", e.getMigration());
        o.put("target", e.getTarget());
        o.put("node", e.getNode());
        o.put("nodeAlias", e.getNodeAlias());
        o.put("name", e.getBitmap());
        o.put("bitmapAlias", e.getBitmapAlias());
        if (e.getTime() != null) {
            o.put("time", e.getTime().toString());
        }
        final Object body = e.getBody();
        if (body instanceof BitmapStarted b) {
            o.put("granularity", b.getGranularity());
            putSize(o, b.getSize());
            o.put("enabled", b.getEnabled());
            o.put("persistent", b.getPersistent());
        } else if (body instanceof BitmapCompleted b) {
            o.put("granularity", b.getGranularity());
            putSize(o, b.getSize());
            o.put("enabled", b.getEnabled());
            o.put("persistent", b.getPersistent());
            o.put("count", b.getCount());
            o.put("sha256", b.getSha256());
            o.put("chunks", b.getChunks());
        } else if (body instanceof BitmapUpdated b) {
            o.put("enabled", b.getEnabled());
            o.put("recording", b.getRecording());
            o.put("count", b.getCount());
            o.put("sha256", b.getSha256());
        } else if (body instanceof WritesApplied b) {
            o.put("barrier", b.getBarrier());
            o.put("partition", b.getPartition());
            o.put("bitmaps", b.getBitmaps().size());
        } else if (body instanceof MigrationCompleted b) {
            final ArrayNode list = o.putArray("bitmaps");
            for (final CompletedBitmap c : b.getBitmaps()) {
                list.addObject().put("node", c.getNode()).put("nodeAlias", c.getNodeAlias())
                        .put("name", c.getBitmap()).put("bitmapAlias", c.getBitmapAlias());
            }
        } else {
            final String reason = reason(body);
            if (reason != null) {
                o.put("reason", reason);
            }
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static String line(final Event e) {
        final StringBuilder s = new StringBuilder(String.format("%-19s %s", type(e), e.getMigration()));
        if (e.getBitmap() != null || e.getBitmapAlias() != null) {
            s.append(' ').append(e.getTarget()).append(':').append(name(e.getNode(), e.getNodeAlias()))
                    .append('/').append(name(e.getBitmap(), e.getBitmapAlias()));
        } else {
            s.append(" target=").append(e.getTarget());
        }
        final Object body = e.getBody();
        if (body instanceof BitmapStarted b) {
            s.append(" granularity=").append(ReportPrinter.human(b.getGranularity()))
                    .append(" enabled=").append(b.getEnabled()).append(" persistent=").append(b.getPersistent());
        } else if (body instanceof BitmapCompleted b) {
            s.append(" granularity=").append(ReportPrinter.human(b.getGranularity()))
                    .append(" size=").append(size(b.getSize()))
                    .append(" enabled=").append(b.getEnabled()).append(" persistent=").append(b.getPersistent())
                    .append(" count=").append(b.getCount()).append(" sha256=").append(b.getSha256());
        } else if (body instanceof BitmapUpdated b) {
            s.append(" enabled=").append(b.getEnabled()).append(" recording=").append(b.getRecording())
                    .append(" count=").append(b.getCount()).append(" sha256=").append(b.getSha256());
        } else if (body instanceof MigrationCompleted b) {
            s.append(" bitmaps=").append(b.getBitmaps().size());
        } else if (body instanceof WritesApplied b) {
            s.append(" partition=").append(b.getPartition()).append(" bitmaps=").append(b.getBitmaps().size());
        } else if (reason(body) != null) {
            s.append(" reason: ").append(reason(body));
        }
        return s.toString();
    }

    /** A disk size in bytes, or null when the source could not know it (-1 in the event). */
    private static void putSize(final ObjectNode o, final long size) {
        if (size < 0) {
            o.putNull("size");
        } else {
            o.put("size", size);
        }
    }

    /** A disk size as a line shows it: QEMU's units when exact (1G), "unknown" when the source could not know it. */
    static String size(final long size) {
        return size < 0 ? "unknown" : ReportPrinter.human(size);
    }

    /** Whether {@code e} ends a bitmap's loading: BitmapCompleted or BitmapCancelled. */
    static boolean finishesBitmap(final Event e) {
        return e.getBody() instanceof BitmapCompleted || e.getBody() instanceof BitmapCancelled;
    }

    /** The reason of a cancel or failure event body, else null. */
    static String reason(final Object body) {
        if (body instanceof BitmapCancelled b) {
            return b.getReason();
        }
        if (body instanceof MigrationCancelled b) {
            return b.getReason();
        }
        if (body instanceof MigrationFailed b) {
            return b.getReason();
        }
        return null;
    }

    /** "name" or "name(alias)" when the alias differs. */
    private static String name(final String resolved, final String alias) {
        if (resolved == null) {
            return alias == null ? "?" : alias;
        }
        return alias == null || alias.equals(resolved) ? resolved : resolved + "(" + alias + ")";
    }
}
