package org.dbmstream.topology.claim;

import java.util.Objects;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.LoadEvent;

/**
 * A bitmap finished loading on some partition and asks for its name (target, node, bitmap): only the
 * claim's winner reports the completion, so two migrations racing for one name on different partitions
 * never both complete it. A completed bitmap's later changes (postcopy writes: {@link #update}) take the
 * same way, so that its events keep their order: BitmapCompleted first, then its BitmapUpdated ones.
 */
public record ClaimRequest(BitmapNames names, LoadEvent.BitmapCompleted completed, boolean replace,
        LoadEvent.BitmapUpdated update) {
    public ClaimRequest {
        Objects.requireNonNull(names, "names");
    }

    /** A completed bitmap asks for its name; {@code replace}: its spec re-replicates (the name is handed over). */
    public static ClaimRequest claim(LoadEvent.BitmapCompleted completed, boolean replace) {
        return new ClaimRequest(completed.names(), completed, replace, null);
    }

    /** The bitmap was removed (DELETE): its migration gives the name back. */
    public static ClaimRequest release(BitmapNames names) {
        return new ClaimRequest(names, null, false, null);
    }

    /** A completed bitmap changed: reported after its completion, by the task that decides its name. */
    public static ClaimRequest update(LoadEvent.BitmapUpdated update) {
        return new ClaimRequest(update.names(), null, false, update);
    }

    /** True for an update of a completed bitmap. */
    public boolean isUpdate() {
        return update != null;
    }

    /** True for a release (no completion). */
    public boolean isRelease() {
        return completed == null && update == null;
    }

    /** The repartition key: target, node and bitmap name, each length-prefixed (names may hold any character). */
    public String claimKey() {
        BitmapNames n = names();
        return n.target().length() + ":" + n.target() + n.node().length() + ":" + n.node() + n.bitmap();
    }
}
