package org.dbmstream.source.sync;

import java.util.List;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.source.BitmapChunkSource;
import org.dbmstream.source.NamedBitmap;
import org.dbmstream.source.PublishedBitmap;

/**
 * The chunks of one sync round's migration ({@link BitmapChunkSource}'s order): a START for every bitmap it sends
 * (whole: with its announced sha256/count; delta: on the remembered version; removal), the BITS of each whole
 * bitmap and of each delta's changed chunks, COMPLETE for every bitmap but the removals, and the manifest.
 */
public final class RoundChunkSource {
    private RoundChunkSource() {
    }

    /** The chunks that send {@code sending}, in order. */
    public static BitmapChunkSource of(List<RoundPlan.Action> sending) {
        return BitmapChunkSource.of(sending.stream().map(RoundChunkSource::sent).toList());
    }

    private static BitmapChunkSource.Sent sent(RoundPlan.Action a) {
        if (a.kind() == RoundPlan.Kind.REMOVE) {
            RememberedVersion r = a.remembered();
            Chunk.Start start = Chunk.Start.of(r.nodeAlias(), r.bitmapAlias(), Granularity.of(r.granularity()),
                    r.enabled(), r.persistent(), r.size()).versioned(Chunk.Version.removal(), 0);
            return new BitmapChunkSource.Sent(start, null, null, false, new PublishedBitmap(r.id().node(),
                    r.nodeAlias(), r.id().bitmap(), r.bitmapAlias(), r.granularity(), r.size(), r.enabled(),
                    r.persistent()));
        }
        ScannedBitmap s = a.scanned();
        Chunk.Version v = a.kind() == RoundPlan.Kind.DELTA
                ? Chunk.Version.delta(a.remembered().sha256(), s.digest().sha256(), s.digest().count())
                : Chunk.Version.whole(s.digest().sha256(), s.digest().count());
        return new BitmapChunkSource.Sent(s.bitmap().start().versioned(v, s.readTime()),
                s.chunker(), a.kind() == RoundPlan.Kind.DELTA ? a.changed() : null, true,
                new NamedBitmap(s.nodeName(), s.bitmapName(), s.bitmap()).describe());
    }
}
