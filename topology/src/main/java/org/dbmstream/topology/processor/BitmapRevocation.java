package org.dbmstream.topology.processor;

import java.util.Optional;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.bitmap.load.LoadEvent;
import org.dbmstream.bitmap.load.LoadStore;
import org.dbmstream.topology.record.Control;

/**
 * Drops a bitmap that lost the claim of its name: its completion was never reported, so it goes as a
 * cancelled one. Every partition receives the revocation; only the one holding the bitmap acts.
 */
final class BitmapRevocation {
    private BitmapRevocation() {
    }

    static void apply(LoadStore store, Control.Revoke revoke, RecordOutput out) {
        Optional<BitmapState> state = store.bitmap(revoke.names().key());
        if (state.isEmpty()) {
            return;
        }
        // the name stays taken: the claim's holder completed it
        store.deleteBitmap(revoke.names().key());
        out.event(new LoadEvent.BitmapCancelled(revoke.names(), revoke.reason()));
    }
}
