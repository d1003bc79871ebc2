package org.dbmstream.topology.store;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.MigrationProgress;
import org.dbmstream.bitmap.load.MigrationProgressStore;
import org.dbmstream.topology.codec.BinaryWriter;
import org.dbmstream.topology.codec.StateCodec;

/**
 * The tracker's {@link MigrationProgressStore} on one Kafka Streams key-value store. A kind byte starts
 * each key: the progress record, a completed bitmap, a manifest entry by bitmap, a manifest entry by
 * position.
 */
public final class KeyValueProgressStore implements MigrationProgressStore {
    private static final int PROGRESS = 1;
    private static final int COMPLETED = 2;
    private static final int MANIFEST_BY_REF = 3;
    private static final int MANIFEST_BY_INDEX = 4;
    private static final int SETTLED = 5;
    private static final byte[] EMPTY = new byte[0];

    private final KeyValueStore<Bytes, byte[]> store;

    public KeyValueProgressStore(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    @Override
    public Optional<MigrationProgress> get(String migration) {
        byte[] v = store.get(key(PROGRESS, migration).toBytes());
        return v == null ? Optional.empty() : Optional.of(StateCodec.progress(v));
    }

    @Override
    public void put(MigrationProgress progress) {
        store.put(key(PROGRESS, progress.migration()).toBytes(), StateCodec.progress(progress));
    }

    @Override
    public Optional<BitmapNames> completed(String migration, Chunk.BitmapRef ref) {
        byte[] v = store.get(refKey(COMPLETED, migration, ref));
        return v == null ? Optional.empty() : Optional.of(StateCodec.names(v));
    }

    @Override
    public void putCompleted(BitmapNames names) {
        store.put(refKey(COMPLETED, names.migration(), names.ref()), StateCodec.names(names));
    }

    @Override
    public boolean settled(String migration, Chunk.BitmapRef ref) {
        return store.get(refKey(SETTLED, migration, ref)) != null;
    }

    @Override
    public void putSettled(BitmapNames names) {
        store.put(refKey(SETTLED, names.migration(), names.ref()), EMPTY);
    }

    @Override
    public OptionalInt manifestIndex(String migration, Chunk.BitmapRef ref) {
        byte[] v = store.get(refKey(MANIFEST_BY_REF, migration, ref));
        return v == null ? OptionalInt.empty() : OptionalInt.of(ByteBuffer.wrap(v).getInt());
    }

    @Override
    public Chunk.BitmapRef manifestEntry(String migration, int index) {
        byte[] v = store.get(key(MANIFEST_BY_INDEX, migration).int32(index).toBytes());
        return v == null ? null : StateCodec.ref(v);
    }

    @Override
    public void putManifestEntry(String migration, int index, Chunk.BitmapRef ref) {
        store.put(key(MANIFEST_BY_INDEX, migration).int32(index).toBytes(), StateCodec.ref(ref));
        store.put(refKey(MANIFEST_BY_REF, migration, ref), ByteBuffer.allocate(4).putInt(index).array());
    }

    /**
     * Every migration's progress in a tracker store read from outside the topology (an interactive query of
     * {@link StoreNames#MIGRATIONS}, as the query API's migrations list reads it).
     */
    public static void forEachProgress(ReadOnlyKeyValueStore<Bytes, byte[]> store, Consumer<MigrationProgress> visitor) {
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(new byte[] {PROGRESS}),
                new BytesSerializer())) {
            it.forEachRemaining(kv -> visitor.accept(StateCodec.progress(kv.value)));
        }
    }

    private static KeyBuilder key(int kind, String migration) {
        return new KeyBuilder(kind, migration);
    }

    private static Bytes refKey(int kind, String migration, Chunk.BitmapRef ref) {
        return key(kind, migration).string(ref.nodeAlias()).string(ref.bitmapAlias()).toBytes();
    }

    /** A store key: kind, migration, then more fields. */
    private static final class KeyBuilder {
        private final BinaryWriter w = new BinaryWriter();

        KeyBuilder(int kind, String migration) {
            w.int8(kind).string(migration);
        }

        KeyBuilder string(String s) {
            w.string(s);
            return this;
        }

        KeyBuilder int32(int i) {
            w.int32(i);
            return this;
        }

        Bytes toBytes() {
            return Bytes.wrap(w.toByteArray());
        }
    }
}
