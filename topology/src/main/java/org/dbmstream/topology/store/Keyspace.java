package org.dbmstream.topology.store;

import java.util.Arrays;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One small table inside a shared store: its keys carry a one-byte tag in front, so several kinds of
 * metadata (bitmaps, specs, stop reasons, completed names, sequence numbers) live in one RocksDB
 * instance per task instead of one each. Every RocksDB instance costs tens of milliseconds to open
 * when a task starts, its own memtables and its own block cache; the tables share their store's record
 * cache and changelog, and callers see their keys without the tag.
 */
public final class Keyspace {
    private static final BytesSerializer PREFIX = new BytesSerializer();

    private final KeyValueStore<Bytes, byte[]> store;
    private final byte tag;

    public Keyspace(KeyValueStore<Bytes, byte[]> store, byte tag) {
        this.store = store;
        this.tag = tag;
    }

    public byte[] get(Bytes key) {
        return store.get(tagged(key));
    }

    public void put(Bytes key, byte[] value) {
        store.put(tagged(key), value);
    }

    public void delete(Bytes key) {
        store.delete(tagged(key));
    }

    /** Entries whose key starts with {@code prefix}, in key order, keys without the tag. Close it. */
    public KeyValueIterator<Bytes, byte[]> prefixScan(Bytes prefix) {
        KeyValueIterator<Bytes, byte[]> inner = store.prefixScan(tagged(prefix), PREFIX);
        return new KeyValueIterator<>() {
            @Override
            public boolean hasNext() {
                return inner.hasNext();
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                KeyValue<Bytes, byte[]> kv = inner.next();
                return KeyValue.pair(untagged(kv.key), kv.value);
            }

            @Override
            public Bytes peekNextKey() {
                return untagged(inner.peekNextKey());
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    private Bytes tagged(Bytes key) {
        byte[] k = key.get();
        byte[] t = new byte[k.length + 1];
        t[0] = tag;
        System.arraycopy(k, 0, t, 1, k.length);
        return Bytes.wrap(t);
    }

    private static Bytes untagged(Bytes key) {
        byte[] k = key.get();
        return Bytes.wrap(Arrays.copyOfRange(k, 1, k.length));
    }
}
