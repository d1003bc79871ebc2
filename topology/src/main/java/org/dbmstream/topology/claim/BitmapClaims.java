package org.dbmstream.topology.claim;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.topology.codec.StoreKeys;

/**
 * Who holds each bitmap name (target, node, bitmap): the migration whose bitmap completed under it first.
 * One task owns each name (the claims are keyed by it), so two claims of one name are decided in the
 * order that task sees them, whichever partitions the bitmaps loaded on. Removing a bitmap (DELETE) or
 * replacing it should go through {@link #release} / a new claim here too.
 */
public final class BitmapClaims {
    private final KeyValueStore<Bytes, byte[]> store;

    public BitmapClaims(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    /**
     * Claims the bitmap's name for its migration. Empty when granted (also again, for the holder itself);
     * otherwise the migration that holds the name.
     */
    public Optional<String> claim(BitmapNames names) {
        Bytes key = StoreKeys.name(names.target(), names.node(), names.bitmap());
        Optional<String> holder = holder(key);
        if (holder.isPresent() && !holder.get().equals(names.migration())) {
            return holder;
        }
        store.put(key, names.migration().getBytes(StandardCharsets.UTF_8));
        return Optional.empty();
    }

    /** Re-replication: hands the name to {@code names}' migration, whoever held it. */
    public void grant(BitmapNames names) {
        store.put(StoreKeys.name(names.target(), names.node(), names.bitmap()),
                names.migration().getBytes(StandardCharsets.UTF_8));
    }

    /** Frees the name if {@code names}' migration holds it (its bitmap was removed). */
    public void release(BitmapNames names) {
        Bytes key = StoreKeys.name(names.target(), names.node(), names.bitmap());
        if (holder(key).filter(names.migration()::equals).isPresent()) {
            store.delete(key);
        }
    }

    /** The migration that holds the name, if any. */
    public Optional<String> holder(BitmapNames names) {
        return holder(StoreKeys.name(names.target(), names.node(), names.bitmap()));
    }

    private Optional<String> holder(Bytes key) {
        byte[] v = store.get(key);
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
    }
}
