package org.dbmstream.topology.processor;

import org.dbmstream.bitmap.load.BitmapKey;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.BitmapPhase;
import org.dbmstream.bitmap.load.LoadEvent;
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
        remove(store, names.key(), REASON, out);
    }

    /**
     * Re-replication: {@code taker} completed with a spec that says replace, so the completed bitmaps of
     * the same name from other migrations held here go (the query index prefers the replacing one until then).
     */
    static void replaced(KeyValueLoadStore store, BitmapNames taker, RecordOutput out) {
        for (BitmapKey key : store.keysNamed(taker.target(), taker.node(), taker.bitmap())) {
            if (!key.migration().equals(taker.migration())) {
                remove(store, key, "replaced by migration '" + taker.migration() + "'", out);
            }
        }
    }

    private static void remove(KeyValueLoadStore store, BitmapKey key, String reason, RecordOutput out) {
        store.bitmap(key).filter(s -> s.phase() == BitmapPhase.COMPLETE).ifPresent(s -> {
            store.deleteBitmap(key);
            // BitmapRemoved, and the name claim goes too (a no-op when a replacing migration holds it already)
            out.event(new LoadEvent.BitmapRemoved(s.names(), reason));
        });
    }
}
