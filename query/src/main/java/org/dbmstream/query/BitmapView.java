package org.dbmstream.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Comparator;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.BitmapPhase;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.topology.store.StoredBitmaps;

/**
 * One bitmap as the query API shows it (DESIGN.md section 9): destination names, QEMU's flags and, once
 * complete, QEMU's count and sha256 (null while loading); {@code updated} is when the destination last changed
 * the bitmap's state (ISO-8601 UTC; null for a state stored by a version that did not record it); {@code freshness}
 * how current the replica is ({@link Freshness}).
 */
@JsonPropertyOrder({"target", "node", "name", "granularity", "size", "enabled", "recording", "persistent", "state",
    "count", "sha256", "migration", "nodeAlias", "bitmapAlias", "chunks", "replaces", "updated", "freshness"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BitmapView(String target, String node, String name, long granularity, long size, boolean enabled,
        boolean recording, boolean persistent, String state, Long count, String sha256, String migration,
        String nodeAlias, String bitmapAlias, long chunks, String replaces, String updated, Freshness freshness) {

    /** The names the topology knows this bitmap by. */
    BitmapNames names() {
        return new BitmapNames(migration, target, node, nodeAlias, name, bitmapAlias);
    }

    boolean complete() {
        return "complete".equals(state);
    }

    /** Lists order: node, then name, then complete before loading. */
    static final Comparator<BitmapView> ORDER = Comparator.comparing(BitmapView::node)
            .thenComparing(BitmapView::name).thenComparing(BitmapView::state);

    static BitmapView of(StoredBitmaps.Stored stored) {
        BitmapState s = stored.state();
        boolean complete = s.phase() == BitmapPhase.COMPLETE;
        return new BitmapView(s.names().target(), s.names().node(), s.names().bitmap(), s.granularity().bytes(),
                s.size(), s.enabled(), s.recording(), s.persistent(), s.phase().name().toLowerCase(),
                complete ? s.count() : null, complete ? s.sha256() : null, s.names().migration(), s.names().nodeAlias(),
                s.names().bitmapAlias(), s.chunks(), stored.replaces(),
                stored.updated() == null ? null : stored.updated().toString(),
                Freshness.of(s, System.currentTimeMillis()));
    }

    /**
     * Of two bitmaps of one name (one replacing the other), the one queries answer with: a completed one
     * before a loading one; of two completed ones (for the moment between the replacing one's COMPLETE and
     * the removal of the one it replaces), the replacing one.
     */
    static BitmapView preferred(BitmapView a, BitmapView b) {
        if (a == null || b.complete() != a.complete()) {
            return a == null || b.complete() ? b : a;
        }
        return b.complete() && a.migration().equals(b.replaces()) ? b : a;
    }
}
