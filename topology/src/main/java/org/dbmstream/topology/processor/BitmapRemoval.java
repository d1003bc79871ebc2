package org.dbmstream.topology.processor;

import java.time.Instant;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.BitmapPhase;
import org.dbmstream.schemas.BitmapRemoved;
import org.dbmstream.schemas.Event;
import org.dbmstream.topology.store.KeyValueLoadStore;

/**
 * QMP {@code block-dirty-bitmap-remove} on the replica, as one loading task applies it: the task holding
 * the completed bitmap releases it (metadata, bits, index entry) and reports BitmapRemoved; every task
 * frees the name on its target, so that a later START of it is no longer "already exists". A loading
 * bitmap is never removed here (the query API refuses it as busy).
 */
final class BitmapRemoval {
    static final String REASON = "removed (block-dirty-bitmap-remove)";

    private BitmapRemoval() {
    }

    static void apply(KeyValueLoadStore store, BitmapNames names, RecordOutput out) {
        store.freeName(names);
        store.bitmap(names.key()).filter(s -> s.phase() == BitmapPhase.COMPLETE).ifPresent(s -> {
            store.deleteBitmap(names.key());
            out.forward(names.migration(), new Event(names.migration(), names.target(), names.node(),
                    names.nodeAlias(), names.bitmap(), names.bitmapAlias(), Instant.now(), new BitmapRemoved(REASON)));
        });
    }
}
