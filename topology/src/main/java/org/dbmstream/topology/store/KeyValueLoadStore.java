package org.dbmstream.topology.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dbmstream.bitmap.load.BitmapKey;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.bitmap.load.LoadError;
import org.dbmstream.bitmap.load.LoadStore;
import org.dbmstream.topology.codec.StateCodec;
import org.dbmstream.topology.codec.StoreKeys;

/**
 * The load side's {@link LoadStore} on Kafka Streams key-value stores (RocksDB): metadata, per-chunk bits,
 * stop reasons and completed names each in their own store. A bitmap's chunks are found by prefix scan
 * of its key, in index order; nothing reads a whole bitmap into memory.
 */
public final class KeyValueLoadStore implements LoadStore {
    private static final BytesSerializer PREFIX = new BytesSerializer();

    private final KeyValueStore<Bytes, byte[]> bitmaps;
    private final KeyValueStore<Bytes, byte[]> bits;
    private final KeyValueStore<Bytes, byte[]> stops;
    private final KeyValueStore<Bytes, byte[]> names;

    public KeyValueLoadStore(KeyValueStore<Bytes, byte[]> bitmaps, KeyValueStore<Bytes, byte[]> bits,
            KeyValueStore<Bytes, byte[]> stops, KeyValueStore<Bytes, byte[]> names) {
        this.bitmaps = bitmaps;
        this.bits = bits;
        this.stops = stops;
        this.names = names;
    }

    @Override
    public Optional<BitmapState> bitmap(BitmapKey key) {
        byte[] v = bitmaps.get(StoreKeys.bitmap(key));
        return v == null ? Optional.empty() : Optional.of(StateCodec.bitmapState(v));
    }

    @Override
    public void putBitmap(BitmapKey key, BitmapState state) {
        bitmaps.put(StoreKeys.bitmap(key), StateCodec.bitmapState(state));
    }

    @Override
    public void deleteBitmap(BitmapKey key) {
        bitmaps.delete(StoreKeys.bitmap(key));
        List<Bytes> doomed = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = bits.prefixScan(StoreKeys.bitmap(key), PREFIX)) {
            it.forEachRemaining(kv -> doomed.add(kv.key));
        }
        doomed.forEach(bits::delete);
    }

    @Override
    public List<BitmapKey> bitmapsOf(String migration) {
        List<BitmapKey> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = bitmaps.prefixScan(StoreKeys.migration(migration), PREFIX)) {
            while (it.hasNext()) {
                BitmapKey key = StoreKeys.bitmapKey(it.next().key);
                if (key.migration().equals(migration)) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    @Override
    public byte[] chunk(BitmapKey key, long index) {
        return bits.get(StoreKeys.chunk(key, index));
    }

    @Override
    public void putChunk(BitmapKey key, long index, byte[] bytes) {
        bits.put(StoreKeys.chunk(key, index), bytes);
    }

    @Override
    public void deleteChunk(BitmapKey key, long index) {
        bits.delete(StoreKeys.chunk(key, index));
    }

    @Override
    public void forEachChunk(BitmapKey key, ChunkVisitor visitor) {
        Bytes prefix = StoreKeys.bitmap(key);
        int keyLength = prefix.get().length + Long.BYTES;
        try (KeyValueIterator<Bytes, byte[]> it = bits.prefixScan(prefix, PREFIX)) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                // a longer key would belong to another bitmap whose key merely starts with this one's bytes
                if (kv.key.get().length == keyLength) {
                    visitor.visit(StoreKeys.chunkIndex(kv.key), kv.value);
                }
            }
        }
    }

    @Override
    public Optional<LoadError> stopReason(String migration) {
        byte[] v = stops.get(StoreKeys.migration(migration));
        return v == null ? Optional.empty() : Optional.of(StateCodec.loadError(v));
    }

    @Override
    public void putStopReason(String migration, LoadError reason) {
        stops.put(StoreKeys.migration(migration), StateCodec.loadError(reason));
    }

    @Override
    public Optional<String> completedBy(String target, String node, String bitmap) {
        byte[] v = names.get(StoreKeys.name(target, node, bitmap));
        return v == null ? Optional.empty() : Optional.of(new String(v, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void putCompleted(BitmapNames n) {
        names.put(StoreKeys.name(n.target(), n.node(), n.bitmap()),
                n.migration().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
