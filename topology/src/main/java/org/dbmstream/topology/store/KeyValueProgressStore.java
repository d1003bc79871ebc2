package org.dbmstream.topology.store;

import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dbmstream.bitmap.load.MigrationProgress;
import org.dbmstream.bitmap.load.MigrationProgressStore;
import org.dbmstream.topology.codec.StateCodec;
import org.dbmstream.topology.codec.StoreKeys;

/** The tracker's {@link MigrationProgressStore} on a Kafka Streams key-value store. */
public final class KeyValueProgressStore implements MigrationProgressStore {
    private final KeyValueStore<Bytes, byte[]> store;

    public KeyValueProgressStore(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    @Override
    public Optional<MigrationProgress> get(String migration) {
        byte[] v = store.get(StoreKeys.migration(migration));
        return v == null ? Optional.empty() : Optional.of(StateCodec.progress(v));
    }

    @Override
    public void put(MigrationProgress progress) {
        store.put(StoreKeys.migration(progress.migration()), StateCodec.progress(progress));
    }
}
