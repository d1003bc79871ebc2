package org.dbmstream.topology.processor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.dbmstream.bitmap.load.BitmapLoader;
import org.dbmstream.bitmap.load.Consequence;
import org.dbmstream.bitmap.load.LoadEvent;
import org.dbmstream.bitmap.load.LoadOutput;
import org.dbmstream.bitmap.load.LoadStore;
import org.dbmstream.topology.codec.BinaryReader;
import org.dbmstream.topology.codec.BinaryWriter;
import org.dbmstream.topology.codec.StoreKeys;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.store.Keyspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loading task's side of postcopy (DESIGN.md section 10): switchovers and destination writes, which
 * reach every partition through the control topic. A write sets bits in the recording bitmaps held here
 * at once; it is also held for every migration of its target known here whose switchover has not
 * arrived yet (the switchover travels through another partition and may come later than the write),
 * and applied again when it does; a write that names its migration is held for it even before its spec
 * arrived here. Setting bits is idempotent, so a write applied twice changes nothing
 * more, and the outcome does not depend on how writes, chunks and control interleave. A write that no
 * bitmap records and no migration awaits is counted ({@code dropped-writes-total}) and dropped.
 *
 * <p>A write barrier of a migration is answered here (WritesApplied, with the migration's completed bitmaps
 * as they are now) once the writes before it applied: at once after its switchover, else held, like the
 * writes, and answered at the switchover after them.
 */
final class PostcopyWrites {
    private static final Logger LOG = LoggerFactory.getLogger(PostcopyWrites.class);
    private static final byte[] EMPTY = new byte[0];

    private final BitmapLoader loader;
    private final LoadStore store;
    private final Keyspace awaiting;
    private final Keyspace held;
    private final Keyspace heldBarriers;
    private final ProcessorContext<?, ?> context;
    private final Sensor dropped;
    private long localPosition;
    /** Target to the migrations awaiting their switchover on it (every write asks; changed here only). */
    private final Map<String, List<String>> awaitingCache = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
            return size() > 1024;
        }
    };

    PostcopyWrites(ProcessorContext<?, ?> context, BitmapLoader loader, LoadStore store, Keyspace awaiting,
            Keyspace held, Keyspace heldBarriers) {
        this.context = context;
        this.loader = loader;
        this.store = store;
        this.awaiting = awaiting;
        this.held = held;
        this.heldBarriers = heldBarriers;
        this.dropped = droppedSensor(context);
    }

    /** A migration's spec arrived here: until its switchover, writes on its target are held for it. */
    void specArrived(String migration, String target) {
        if (!store.switchedOver(migration)) {
            awaiting.put(StoreKeys.awaiting(target, migration), EMPTY);
            awaitingCache.remove(target);
        }
    }

    /** The migration will never switch over (failed, or its spec removed): let its held writes go. */
    void forget(String migration, String target, LoadOutput out) {
        awaiting.delete(StoreKeys.awaiting(target, migration));
        awaitingCache.remove(target);
        for (Bytes key : heldKeys(held, migration)) {
            held.delete(key);
        }
        // a failed migration's barriers are answered: nothing more will be applied for it
        for (Bytes key : heldKeys(heldBarriers, migration)) {
            Control.Barrier barrier = decodeBarrier(heldBarriers.get(key));
            heldBarriers.delete(key);
            answer(barrier, out);
        }
    }

    /** The migration's VM started: its bitmaps here record, then the writes held for it apply. */
    void switchover(Control.Switchover switchover, LoadOutput out) {
        loader.switchover(switchover.migration(), out);
        awaiting.delete(StoreKeys.awaiting(switchover.target(), switchover.migration()));
        awaitingCache.remove(switchover.target());
        List<Bytes> keys = heldKeys(held, switchover.migration());
        if (!keys.isEmpty()) {
            LOG.info("Applying {} writes that reached this partition before the switchover of migration '{}'",
                    keys.size(), switchover.migration());
        }
        for (Bytes key : keys) {
            Control.Write write = decode(held.get(key));
            loader.write(write.target(), write.node(), write.offset(), write.length(), out);
            held.delete(key);
        }
        for (Bytes key : heldKeys(heldBarriers, switchover.migration())) {
            Control.Barrier barrier = decodeBarrier(heldBarriers.get(key));
            heldBarriers.delete(key);
            answer(barrier, out);
        }
    }

    /**
     * A write barrier: answered once the writes before it applied here, which after the migration's
     * switchover they are; before it (or before its spec arrived) it is held with the writes and answered
     * at the switchover.
     */
    void barrier(Control.Barrier barrier, LoadOutput out) {
        String own = barrier.migration();
        boolean failed = store.stopReason(own).map(e -> e.consequence() == Consequence.FAIL).orElse(false);
        if (!store.switchedOver(own) && !failed) {
            long position = context.recordMetadata().map(m -> m.offset()).orElse(localPosition++);
            heldBarriers.put(heldKey(own, position), new BinaryWriter().string(own).string(barrier.target())
                    .string(barrier.barrier()).toByteArray());
            return;
        }
        answer(barrier, out);
    }

    /** Reports the migration's completed bitmaps here, with every write applied so far counted. */
    private void answer(Control.Barrier barrier, LoadOutput out) {
        loader.flushUpdates(out);
        out.event(new LoadEvent.WritesApplied(barrier.migration(), barrier.target(), barrier.barrier(),
                context.taskId().partition(), loader.completedOf(barrier.migration())));
    }

    private static Control.Barrier decodeBarrier(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        return new Control.Barrier(r.string(), r.string(), r.string());
    }

    /** A destination write: applied to the recording bitmaps here, held for migrations still awaiting. */
    void write(Control.Write write, LoadOutput out) {
        int recording = loader.write(write.target(), write.node(), write.offset(), write.length(), out);
        List<String> waiting = awaitingOn(write.target());
        String own = write.migration();
        if (!own.isEmpty() && !waiting.contains(own) && !store.switchedOver(own)
                && store.stopReason(own).map(e -> e.consequence() != Consequence.FAIL).orElse(true)) {
            // the writer names its migration: held even before that migration's spec reached this partition
            waiting.add(own);
        }
        long position = context.recordMetadata().map(m -> m.offset()).orElse(localPosition++);
        for (String migration : waiting) {
            held.put(heldKey(migration, position), encode(write));
        }
        if (recording == 0 && waiting.isEmpty()) {
            dropped.record();
            LOG.debug("Dropping a write on node '{}' of target '{}': no bitmap records it", write.node(),
                    write.target());
        }
    }

    private List<String> awaitingOn(String target) {
        List<String> cached = awaitingCache.computeIfAbsent(target, t -> {
            List<String> migrations = new ArrayList<>();
            try (KeyValueIterator<Bytes, byte[]> it = awaiting.prefixScan(StoreKeys.migration(t))) {
                it.forEachRemaining(kv -> migrations.add(StoreKeys.awaitingMigration(kv.key)));
            }
            return List.copyOf(migrations);
        });
        return new ArrayList<>(cached);
    }

    private static List<Bytes> heldKeys(Keyspace keyspace, String migration) {
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = keyspace.prefixScan(StoreKeys.migration(migration))) {
            it.forEachRemaining((KeyValue<Bytes, byte[]> kv) -> keys.add(kv.key));
        }
        return keys;
    }

    private static Bytes heldKey(String migration, long position) {
        byte[] prefix = StoreKeys.migration(migration).get();
        return Bytes.wrap(ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(position).array());
    }

    private static byte[] encode(Control.Write w) {
        return new BinaryWriter().string(w.migration()).string(w.target()).string(w.node()).int64(w.offset())
                .int64(w.length()).toByteArray();
    }

    private static Control.Write decode(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        return new Control.Write(r.string(), r.string(), r.string(), r.int64(), r.int64());
    }

    private static Sensor droppedSensor(ProcessorContext<?, ?> context) {
        String task = context.taskId().toString();
        Sensor sensor = context.metrics().addSensor("dbm-dropped-writes-" + task, Sensor.RecordingLevel.INFO);
        sensor.add(new MetricName("dropped-writes-total", "dbm-destination",
                "Destination writes no bitmap recorded (no recording bitmap on the node, no migration awaiting its "
                        + "switchover)", Map.of("task-id", task)), new CumulativeCount());
        return sensor;
    }
}
