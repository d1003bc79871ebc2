package org.dbmstream.topology.claim;

import java.util.Objects;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.LoadEvent;

/**
 * A bitmap finished loading on some partition and asks for its name (target, node, bitmap): only the
 * claim's winner reports the completion, so two migrations racing for one name on different partitions
 * never both complete it.
 */
public record ClaimRequest(LoadEvent.BitmapCompleted completed) {
    public ClaimRequest {
        Objects.requireNonNull(completed, "completed");
    }

    public BitmapNames names() {
        return completed.names();
    }

    /** The repartition key: target, node and bitmap name, each length-prefixed (names may hold any character). */
    public String claimKey() {
        BitmapNames n = names();
        return n.target().length() + ":" + n.target() + n.node().length() + ":" + n.node() + n.bitmap();
    }
}
