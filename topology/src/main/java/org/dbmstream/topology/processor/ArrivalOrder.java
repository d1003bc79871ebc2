package org.dbmstream.topology.processor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.topology.codec.BinaryReader;
import org.dbmstream.topology.codec.BinaryWriter;
import org.dbmstream.topology.codec.ChunkCodec;
import org.dbmstream.topology.codec.StoreKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a loading task's chunks in the order of their partition (DESIGN.md section 12). A chunk whose
 * migration's spec has not arrived waits in a queue, and so does every chunk of the partition that arrives
 * after it, whatever its migration: which of two migrations of one name claims it, and which version a delta
 * finds, then follow the order of the records in the partition, which a replay sees identically, and not when
 * each spec's control record happened to arrive. The queue drains, in order, as specs arrive. A chunk whose
 * spec does not come within {@link #SPEC_WAIT_MS} (its spec was deleted, or it never had one) stops holding the
 * others up: it waits apart, per migration, as before.
 */
final class ArrivalOrder {
    private static final Logger LOG = LoggerFactory.getLogger(ArrivalOrder.class);
    /** How long a chunk without spec may hold up the chunks behind it. */
    static final long SPEC_WAIT_MS = 30_000;
    /** First key byte of the queue; chunks waiting apart are keyed by their migration (a length first: 0x00...). */
    private static final byte QUEUE = (byte) 0xff;
    private static final BytesSerializer PREFIX = new BytesSerializer();

    /** A chunk taken from the queue. */
    record Waiting(String migration, Chunk chunk) {
    }

    /** What the queue needs from the loading task. */
    interface Specs {
        /** Whether {@code migration}'s spec is known or can be adopted now; must not change any store. */
        boolean known(String migration);
    }

    private final KeyValueStore<Bytes, byte[]> store;
    private long queued;

    /** @param store the parked-chunks store; the queue's length is counted once here */
    ArrivalOrder(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
        try (KeyValueIterator<Bytes, byte[]> it = queue()) {
            while (it.hasNext()) {
                it.next();
                queued++;
            }
        }
    }

    /** Whether chunks wait in the queue: a new chunk must then wait behind them. */
    boolean holding() {
        return queued > 0;
    }

    /** Queues {@code chunk} of {@code migration}, arrived at {@code position} of the partition at {@code now}. */
    void enqueue(String migration, long position, Chunk chunk, long now) {
        byte[] value = new BinaryWriter().string(migration).int64(now).bytes(ChunkCodec.encode(chunk)).toByteArray();
        store.put(queueKey(position), value);
        queued++;
    }

    /**
     * Takes chunks from the head of the queue, in order, while their spec is known; a head whose spec is still
     * missing after {@link #SPEC_WAIT_MS} is set apart (for {@link #apart}) and the next one tried.
     */
    List<Waiting> drain(Specs specs, long now) {
        List<Waiting> out = new ArrayList<>();
        if (queued == 0) {
            return out;
        }
        // first only decide (nothing is written while the store is iterated), then take
        List<Bytes> taken = new ArrayList<>();
        List<Boolean> known = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = queue()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                BinaryReader r = new BinaryReader(kv.value);
                String migration = r.string();
                long arrived = r.int64();
                boolean spec = specs.known(migration);
                if (!spec) {
                    if (now - arrived < SPEC_WAIT_MS) {
                        break;
                    }
                    LOG.warn("A chunk of migration '{}' has waited {} ms for its spec: the chunks behind it go on",
                            migration, now - arrived);
                }
                taken.add(kv.key);
                known.add(spec);
            }
        }
        for (int i = 0; i < taken.size(); i++) {
            Bytes key = taken.get(i);
            BinaryReader r = new BinaryReader(store.get(key));
            store.delete(key);
            queued--;
            String migration = r.string();
            r.int64();
            byte[] chunk = r.bytes();
            if (known.get(i)) {
                out.add(new Waiting(migration, ChunkCodec.decode(chunk)));
            } else {
                store.put(StoreKeys.parked(migration, position(key)), chunk);
            }
        }
        return out;
    }

    /** Chunks of {@code migration} set apart because its spec came late, in arrival order; they are removed. */
    List<Chunk> apart(String migration) {
        List<KeyValue<Bytes, byte[]>> waiting = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(StoreKeys.migration(migration), PREFIX)) {
            it.forEachRemaining(waiting::add);
        }
        List<Chunk> out = new ArrayList<>(waiting.size());
        for (KeyValue<Bytes, byte[]> kv : waiting) {
            store.delete(kv.key);
            out.add(ChunkCodec.decode(kv.value));
        }
        return out;
    }

    /** The queue: every key from its tag on (the keys of chunks waiting apart start lower, with a length). */
    private KeyValueIterator<Bytes, byte[]> queue() {
        return store.range(Bytes.wrap(new byte[] {QUEUE}), null);
    }

    private static Bytes queueKey(long position) {
        return Bytes.wrap(ByteBuffer.allocate(1 + Long.BYTES).put(QUEUE).putLong(position).array());
    }

    private static long position(Bytes queueKey) {
        return ByteBuffer.wrap(queueKey.get(), 1, Long.BYTES).getLong();
    }
}
