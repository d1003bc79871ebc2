package org.dbmstream.topology.record;

import java.time.Instant;
import java.util.List;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.bitmap.load.LoadEvent;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapNow;
import org.dbmstream.schemas.BitmapStarted;
import org.dbmstream.schemas.BitmapRemoved;
import org.dbmstream.schemas.BitmapUpdated;
import org.dbmstream.schemas.CompletedBitmap;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.schemas.SwitchedOver;
import org.dbmstream.schemas.WritesApplied;

/** Converts the load side's {@link LoadEvent}s to the events topic's Avro {@link Event}. */
public final class EventRecords {
    private EventRecords() {
    }

    /** The Avro event for {@code event}, stamped with {@code timeMillis}. */
    public static Event toAvro(LoadEvent event, long timeMillis) {
        Instant time = Instant.ofEpochMilli(Math.max(0, timeMillis));
        if (event instanceof LoadEvent.OfBitmap b) {
            BitmapNames n = b.names();
            return new Event(n.migration(), n.target(), n.node(), n.nodeAlias(), n.bitmap(), n.bitmapAlias(), time,
                    bitmapBody(b));
        }
        Object body;
        if (event instanceof LoadEvent.MigrationCompleted c) {
            List<CompletedBitmap> bitmaps = c.bitmaps().stream()
                    .map(n -> new CompletedBitmap(n.node(), n.nodeAlias(), n.bitmap(), n.bitmapAlias())).toList();
            body = new MigrationCompleted(bitmaps);
        } else if (event instanceof LoadEvent.MigrationCancelled c) {
            body = new MigrationCancelled(c.reason());
        } else if (event instanceof LoadEvent.SwitchedOver) {
            body = new SwitchedOver();
        } else if (event instanceof LoadEvent.WritesApplied w) {
            body = new WritesApplied(w.barrier(), w.partition(), w.bitmaps().stream().map(EventRecords::now).toList());
        } else {
            body = new MigrationFailed(((LoadEvent.MigrationFailed) event).reason());
        }
        return new Event(event.migration(), event.target(), null, null, null, null, time, body);
    }

    private static BitmapNow now(BitmapState s) {
        BitmapNames n = s.names();
        return new BitmapNow(n.node(), n.nodeAlias(), n.bitmap(), n.bitmapAlias(), s.granularity().bytes(), s.size(),
                s.enabled(), s.recording(), s.persistent(), s.count(), s.sha256());
    }

    private static Object bitmapBody(LoadEvent.OfBitmap event) {
        if (event instanceof LoadEvent.BitmapStarted s) {
            return new BitmapStarted(s.granularity().bytes(), s.size(), s.enabled(), s.persistent());
        }
        if (event instanceof LoadEvent.BitmapCompleted c) {
            LoadEvent.VersionInfo v = c.version();
            return new BitmapCompleted(c.granularity().bytes(), c.size(), c.enabled(), c.persistent(), c.count(),
                    c.sha256(), c.chunks(), v.base(), v.changedChunks(), v.versions(), v.readTime(), v.bytes());
        }
        if (event instanceof LoadEvent.BitmapUpdated u) {
            return new BitmapUpdated(u.enabled(), u.recording(), u.count(), u.sha256());
        }
        if (event instanceof LoadEvent.BitmapRemoved r) {
            return new BitmapRemoved(r.reason());
        }
        LoadEvent.BitmapCancelled c = (LoadEvent.BitmapCancelled) event;
        return new BitmapCancelled(c.reason(), c.refused());
    }
}
