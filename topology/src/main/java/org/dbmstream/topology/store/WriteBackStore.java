package org.dbmstream.topology.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A task's writes to one logged store, held back until the task commits: a key written many times
 * between two commits (a 64 KiB segment of bits patched by 64 chunks, a bitmap's metadata rewritten by
 * every chunk) reaches RocksDB and the changelog once. It does what Kafka Streams' record cache is
 * meant to do, with one difference that matters here: its memory belongs to this store of this task.
 *
 * <p>Why not the record cache: its budget ({@code statestore.cache.max.bytes}) is shared by every store
 * of every task of a stream thread, but a put only ever evicts entries of its own store and task, and
 * entries stay cached (clean) after a commit. A task that loaded a large bitmap leaves the whole budget
 * full of its clean segments; a bitmap loading later on another partition then finds no room, and each
 * of its puts evicts the segment it just wrote: one 64 KiB RocksDB write and changelog record per 1 KiB
 * chunk (issue 21: 5-16 GiB written to disk for a 128 MiB bitmap, every other run). Here nothing stays
 * after a commit, and what one store holds never crowds out another.
 *
 * <p>Writes wait in memory, at most {@code maxBytes} of them (keys, values and bookkeeping); past that
 * the least recently used key is written through (for bits loaded in order, a segment that is complete).
 * {@link #flushCache()} writes them all, in key order: Kafka Streams calls it on every store it manages
 * when a task prepares a commit, before it flushes the producer and commits the transaction, so the
 * changelog records are part of the same transaction as the input offsets. (That hook is the record
 * cache's own, {@link CachedStateStore}, an interface of Kafka Streams' internals package; this class is
 * the only place that depends on it.) A dirty close, a task revived after an aborted transaction, and
 * {@link #clearCache()} drop what waits: it was never committed.
 *
 * <p>Reads on the thread that wrote see the waiting writes (scans merge them in key order). Reads from
 * any other thread (interactive queries) go straight to the store below, which answers with what was
 * written there, under exactly-once only what was committed.
 */
public final class WriteBackStore implements KeyValueStore<Bytes, byte[]>, CachedStateStore<Bytes, byte[]> {
    /** Bookkeeping counted per waiting entry besides its key and value (map nodes, references). */
    static final int ENTRY_OVERHEAD = 96;
    /** A waiting delete. */
    private static final byte[] TOMBSTONE = new byte[0];

    private final KeyValueStore<Bytes, byte[]> inner;
    private final long maxBytes;
    /** Waiting writes, least recently used first. */
    private final LinkedHashMap<Bytes, byte[]> recent = new LinkedHashMap<>(256, 0.75f, true);
    /** The same writes in key order, for scans and for flushing in order. */
    private final TreeMap<Bytes, byte[]> sorted = new TreeMap<>();
    private long bytes;
    private volatile Thread writer;
    private long writtenThrough;
    private long flushedEntries;

    /**
     * @param inner    the store below (Kafka Streams' metered, changelogged RocksDB store, record cache off)
     * @param maxBytes most memory the waiting writes may take; 0 writes everything through at once
     */
    public WriteBackStore(KeyValueStore<Bytes, byte[]> inner, long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        this.inner = inner;
        this.maxBytes = maxBytes;
    }

    /** Bytes (keys, values, bookkeeping) of the writes waiting now. */
    public long waitingBytes() {
        return bytes;
    }

    /** Writes that went through before a commit because the waiting writes took more than the budget. */
    public long writtenThrough() {
        return writtenThrough;
    }

    /** Writes passed on by commits (each one key's last value since the previous commit). */
    public long flushedEntries() {
        return flushedEntries;
    }

    // ---- writes (on the task's thread) ----

    @Override
    public void put(Bytes key, byte[] value) {
        if (value == null) {
            delete(key);
            return;
        }
        hold(key, value);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        for (KeyValue<Bytes, byte[]> e : entries) {
            put(e.key, e.value);
        }
    }

    @Override
    public byte[] delete(Bytes key) {
        byte[] old = get(key);
        hold(key, TOMBSTONE);
        return old;
    }

    private void hold(Bytes key, byte[] value) {
        writer = Thread.currentThread();
        byte[] before = recent.put(key, value);
        sorted.put(key, value);
        bytes += value.length - (before == null ? -(key.get().length + ENTRY_OVERHEAD) : before.length);
        while (bytes > maxBytes && !recent.isEmpty()) {
            Iterator<Map.Entry<Bytes, byte[]>> eldest = recent.entrySet().iterator();
            Map.Entry<Bytes, byte[]> e = eldest.next();
            eldest.remove();
            sorted.remove(e.getKey());
            bytes -= e.getKey().get().length + e.getValue().length + ENTRY_OVERHEAD;
            writeThrough(e.getKey(), e.getValue());
            writtenThrough++;
        }
    }

    private void writeThrough(Bytes key, byte[] value) {
        if (value == TOMBSTONE) {
            inner.delete(key);
        } else {
            inner.put(key, value);
        }
    }

    /** Passes every waiting write on to the store below, in key order, and forgets them. */
    private void writeAll() {
        if (sorted.isEmpty()) {
            return;
        }
        for (Map.Entry<Bytes, byte[]> e : sorted.entrySet()) {
            writeThrough(e.getKey(), e.getValue());
        }
        flushedEntries += sorted.size();
        dropAll();
    }

    private void dropAll() {
        recent.clear();
        sorted.clear();
        bytes = 0;
    }

    /** Kafka Streams prepares a commit: the waiting writes go to the store (and its changelog) now. */
    @Override
    public void flushCache() {
        writeAll();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    /** The task's uncommitted work is thrown away (recycled, revived): so are the waiting writes. */
    @Override
    public void clearCache() {
        dropAll();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.clearCache();
        }
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Bytes, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    // ---- reads ----

    /** Whether this call may see the waiting writes: it comes from the thread that made them. */
    private boolean writerThread() {
        return !sorted.isEmpty() && Thread.currentThread() == writer;
    }

    @Override
    public byte[] get(Bytes key) {
        if (writerThread()) {
            byte[] waiting = recent.get(key);
            if (waiting != null) {
                return waiting == TOMBSTONE ? null : waiting;
            }
        }
        return inner.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        if (!writerThread()) {
            return inner.range(from, to);
        }
        if (from != null && to != null && from.compareTo(to) > 0) {
            return inner.range(from, to); // Kafka Streams' answer to an inverted range: nothing
        }
        NavigableMap<Bytes, byte[]> part = sorted;
        if (from != null) {
            part = part.tailMap(from, true);
        }
        if (to != null) {
            part = part.headMap(to, true);
        }
        return new Merged(inner.range(from, to), part);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return writerThread() ? new Merged(inner.all(), sorted) : inner.all();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        if (!writerThread()) {
            return inner.prefixScan(prefix, prefixKeySerializer);
        }
        byte[] p = prefixKeySerializer.serialize(null, prefix);
        Bytes after = after(p);
        NavigableMap<Bytes, byte[]> part = after == null ? sorted.tailMap(Bytes.wrap(p), true)
                : sorted.subMap(Bytes.wrap(p), true, after, false);
        return new Merged(inner.prefixScan(prefix, prefixKeySerializer), part);
    }

    /** Reverse scans are not used on the hot path: the waiting writes go through first. */
    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        if (writerThread()) {
            writeAll();
        }
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        if (writerThread()) {
            writeAll();
        }
        return inner.reverseAll();
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }

    /** Views at an isolation level are the store's own (queries): waiting writes are not committed. */
    @Override
    public ReadOnlyKeyValueStore<Bytes, byte[]> readOnly(IsolationLevel isolationLevel) {
        return inner.readOnly(isolationLevel);
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    /** The smallest key after every key that starts with {@code prefix}; null when there is none. */
    static Bytes after(byte[] prefix) {
        byte[] next = prefix.clone();
        for (int i = next.length - 1; i >= 0; i--) {
            if (next[i] != (byte) 0xff) {
                next[i]++;
                return Bytes.wrap(java.util.Arrays.copyOf(next, i + 1));
            }
        }
        return null;
    }

    // ---- the store's life: everything else is the store below's ----

    @Override
    public void init(StateStoreContext context, StateStore root) {
        dropAll();
        inner.init(context, root);
    }

    @Override
    public void flush() {
        writeAll();
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        inner.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public long approximateNumUncommittedBytes() {
        return inner.approximateNumUncommittedBytes();
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void close() {
        dropAll();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    /**
     * The store's entries merged with the waiting writes (a copy taken now, so the caller may write while
     * it iterates): a waiting write wins over the stored value of its key, a waiting delete hides it.
     */
    private static final class Merged implements KeyValueIterator<Bytes, byte[]> {
        private final KeyValueIterator<Bytes, byte[]> stored;
        private final List<Map.Entry<Bytes, byte[]>> waiting;
        private int at;
        private KeyValue<Bytes, byte[]> next;

        Merged(KeyValueIterator<Bytes, byte[]> stored, NavigableMap<Bytes, byte[]> waiting) {
            this.stored = stored;
            this.waiting = new ArrayList<>(waiting.entrySet());
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                Bytes storedKey = stored.hasNext() ? stored.peekNextKey() : null;
                Map.Entry<Bytes, byte[]> w = at < waiting.size() ? waiting.get(at) : null;
                if (storedKey == null && w == null) {
                    return false;
                }
                int cmp = storedKey == null ? 1 : w == null ? -1 : storedKey.compareTo(w.getKey());
                if (cmp < 0) {
                    next = stored.next();
                    continue;
                }
                if (cmp == 0) {
                    stored.next();
                }
                at++;
                if (w.getValue() != TOMBSTONE) {
                    next = KeyValue.pair(w.getKey(), w.getValue());
                }
            }
            return true;
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<Bytes, byte[]> out = next;
            next = null;
            return out;
        }

        @Override
        public Bytes peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next.key;
        }

        @Override
        public void close() {
            stored.close();
        }
    }
}
