package org.dbmstream.topology.processor;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.load.BitmapLoader;
import org.dbmstream.bitmap.load.Consequence;
import org.dbmstream.bitmap.load.Migration;
import org.dbmstream.bitmap.load.MigrationControl;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.codec.ChunkCodec;
import org.dbmstream.topology.codec.StoreKeys;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.record.ControlSerde;
import org.dbmstream.topology.record.LoadInput;
import org.dbmstream.topology.record.SpecRecord;
import org.dbmstream.topology.spec.SpecLookup;
import org.dbmstream.topology.store.KeyValueLoadStore;
import org.dbmstream.topology.store.Keyspace;
import org.dbmstream.topology.store.SequenceCheck;
import org.dbmstream.topology.store.StoreNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the chunks of one partition of the chunks topic with QEMU's load semantics ({@link BitmapLoader}),
 * and applies the control records every partition receives: migration specs (chunks that arrive before
 * their migration's spec wait in a store and are loaded, in arrival order, when it comes), cancel/fail
 * decisions, bitmap names taken on a target by bitmaps completed on other partitions, and postcopy's
 * switchovers and destination writes ({@link PostcopyWrites}). Emits bitmap events, the facts the
 * migration's tracker needs, and the switchovers to broadcast.
 */
public final class ChunkLoadProcessor implements Processor<String, LoadInput, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkLoadProcessor.class);
    private static final int SPEC_CACHE = 1024;
    private static final ControlSerde CONTROL = new ControlSerde();

    private final CommitPacer pacer;
    private ProcessorContext<String, Object> context;
    private Keyspace specs;
    private KeyValueStore<Bytes, byte[]> parked;
    private KeyValueLoadStore loadStore;
    private BitmapLoader loader;
    private PostcopyWrites postcopy;
    private SequenceCheck sequences;
    private final Map<String, SpecRecord> specCache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SpecRecord> eldest) {
            return size() > SPEC_CACHE;
        }
    };
    private final Map<String, Migration> migrationCache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Migration> eldest) {
            return size() > SPEC_CACHE;
        }
    };
    private long localPosition;
    private Keyspace layout;
    private boolean layoutChecked;

    private final SilentSources silentSources;
    private final long updateIntervalMs;
    private final SpecLookup specLookup;
    private ArrivalOrder order;
    private boolean draining;

    /** @param eventCommitIntervalMs longest wait before asking for a commit after emitting an event or fact */
    public ChunkLoadProcessor(long eventCommitIntervalMs) {
        this(eventCommitIntervalMs, 0);
    }

    /**
     * @param eventCommitIntervalMs longest wait before asking for a commit after emitting an event or fact
     * @param idleTimeoutMs         cancel a migration whose bitmaps load here but whose chunks stopped
     *                              coming for this long (0: never)
     */
    public ChunkLoadProcessor(long eventCommitIntervalMs, long idleTimeoutMs) {
        this(eventCommitIntervalMs, idleTimeoutMs, SpecLookup.NONE);
    }

    /**
     * @param specLookup where a chunk whose spec has not reached this partition's control topic yet may
     *                   find it ({@link org.dbmstream.topology.spec.SpecWatcher}); the spec is then adopted
     *                   as if its control record had arrived
     */
    public ChunkLoadProcessor(long eventCommitIntervalMs, long idleTimeoutMs, SpecLookup specLookup) {
        this(eventCommitIntervalMs, idleTimeoutMs, specLookup, DestinationConfig.DEFAULT_UPDATE_INTERVAL_MS);
    }

    /**
     * @param updateIntervalMs how often completed bitmaps that destination writes changed are reported
     *                         (their count and sha256 computed once for all writes since the last time)
     */
    public ChunkLoadProcessor(long eventCommitIntervalMs, long idleTimeoutMs, SpecLookup specLookup,
            long updateIntervalMs) {
        this.updateIntervalMs = updateIntervalMs;
        this.pacer = new CommitPacer(eventCommitIntervalMs);
        this.silentSources = new SilentSources(idleTimeoutMs);
        this.specLookup = specLookup;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        pacer.init(context);
        // a task re-initialized after an aborted transaction must not trust what it cached before
        specCache.clear();
        migrationCache.clear();
        KeyValueStore<Bytes, byte[]> meta = context.getStateStore(StoreNames.META);
        this.specs = new Keyspace(meta, StoreNames.SPECS);
        this.parked = context.getStateStore(StoreNames.PARKED);
        this.loadStore = new KeyValueLoadStore(new Keyspace(meta, StoreNames.BITMAP_STATES),
                context.getStateStore(StoreNames.BITS), new Keyspace(meta, StoreNames.STOPS),
                new Keyspace(meta, StoreNames.NAMES), new Keyspace(meta, StoreNames.INDEX),
                new Keyspace(meta, StoreNames.ON_NODE), new Keyspace(meta, StoreNames.SWITCHED),
                context::currentSystemTimeMs).withVersions(new Keyspace(meta, StoreNames.TOUCHED),
                new Keyspace(meta, StoreNames.REFUSED));
        loadStore.withPendingUpdates(new Keyspace(meta, StoreNames.PENDING_UPDATES));
        this.loader = new BitmapLoader(loadStore, context::currentSystemTimeMs);
        this.postcopy = new PostcopyWrites(context, loader, loadStore, new Keyspace(meta, StoreNames.AWAITING),
                new Keyspace(meta, StoreNames.HELD), new Keyspace(meta, StoreNames.HELD_BARRIERS));
        this.sequences = new SequenceCheck(new Keyspace(meta, StoreNames.SEQUENCES));
        this.layout = new Keyspace(meta, StoreNames.LAYOUT);
        this.layoutChecked = false;
        this.order = new ArrivalOrder(parked);
        // a chunk whose spec never comes stops holding up the ones behind it, even when no chunk arrives
        context.schedule(Duration.ofMillis(ArrivalOrder.SPEC_WAIT_MS / 3), PunctuationType.WALL_CLOCK_TIME,
                now -> {
                    RecordOutput out = new RecordOutput(context, new Record<>("", null, now), this::replacing);
                    drainQueue(out);
                    if (out.forwarded()) {
                        pacer.produced();
                    }
                });
        if (silentSources.enabled()) {
            context.schedule(silentSources.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::cancelSilent);
        }
        context.schedule(java.time.Duration.ofMillis(updateIntervalMs), PunctuationType.WALL_CLOCK_TIME,
                this::flushUpdates);
    }

    /** Reports the completed bitmaps that writes changed since the last time, one BitmapUpdated each. */
    private void flushUpdates(long now) {
        RecordOutput out = new RecordOutput(context, new Record<>("", null, now), this::replacing);
        loader.flushUpdates(out);
        if (out.forwarded()) {
            pacer.produced();
        }
    }

    /** Cancels migrations whose bitmaps load here but whose source went silent. */
    private void cancelSilent(long now) {
        silentSources.check(now, loader::hasLoading, (migration, reason) -> {
            LOG.warn("Cancelling migration '{}': {}", migration, reason);
            SpecRecord spec = spec(migration);
            RecordOutput out = new RecordOutput(context, new Record<>(migration, null, now));
            loader.cancel(Migration.of(migration, spec != null ? spec.target() : ""), reason, out);
            if (out.forwarded()) {
                pacer.produced();
            }
        });
    }

    /** Whether {@code migration}'s spec asks for re-replication ({@code replace}). */
    private boolean replacing(String migration) {
        SpecRecord spec = spec(migration);
        return spec != null && spec.replace();
    }

    /** True for a chunk its source sent before (same source id, sequence not newer): it is dropped. */
    private boolean redelivered(LoadInput input) {
        // the chunk's record key, as the source made it (EndOfStream: empty aliases)
        ChunkKey key = ChunkRecords.keyOf(input.migration(), input.chunk());
        String node = key.getNodeAlias();
        String bitmap = key.getBitmapAlias();
        SequenceCheck.Verdict verdict =
                sequences.check(input.migration(), node, bitmap, input.sourceId(), input.sequence());
        if (verdict == SequenceCheck.Verdict.DUPLICATE) {
            // the designed outcome of a publication sent again (a retry with the same source id): not a problem
            LOG.info("Record {} of migration '{}' dropped: chunk #{} of {}/{} from source '{}' was applied before "
                    + "(a publication sent again)", RecordCoordinates.of(context), input.migration(), input.sequence(),
                    node, bitmap, input.sourceId());
            return true;
        }
        if (verdict == SequenceCheck.Verdict.GAP) {
            LOG.warn("Record {} of migration '{}' (chunk #{} of {}/{} from source '{}') follows a gap: the chunks "
                    + "before it from that source never arrived", RecordCoordinates.of(context), input.migration(),
                    input.sequence(), node, bitmap, input.sourceId());
        }
        return false;
    }

    @Override
    public void process(Record<String, LoadInput> record) {
        if (!layoutChecked) {
            // stores are written while a record is processed (the cache and changelog need its context)
            long converted = loadStore.upgradeBitsLayout(layout);
            if (converted > 0) {
                LOG.info("Converted {} bitmap slots stored by an earlier version into segments", converted);
            }
            layoutChecked = true;
        }
        LoadInput input = record.value();
        RecordOutput out = new RecordOutput(context, record, this::replacing);
        if (input.control() != null) {
            control(input.control(), out);
        } else if (input.rejected() != null) {
            ChunkRejection.reject(input.rejected(), spec(input.migration()), loader, context, record, out);
        } else if (!redelivered(input)) {
            silentSources.chunkArrived(input.migration(), context.currentSystemTimeMs());
            if (order.holding()) {
                // chunks wait for an earlier one's spec: this one waits behind them (the partition's order)
                park(input.migration(), input.chunk());
                drainQueue(out);
            } else {
                SpecRecord spec = specForChunk(input.migration(), out);
                if (spec == null) {
                    park(input.migration(), input.chunk());
                } else {
                    load(spec, input.chunk(), out);
                }
            }
        }
        if (out.forwarded()) {
            // events and the tracker's facts should not wait for the bulk commit interval
            pacer.produced();
        }
    }

    /**
     * The spec a chunk of {@code migration} loads under: the one this partition knows, else one the
     * {@link SpecLookup} already read from the migrations topic, adopted here exactly as its control record
     * would be (chunks parked before are loaded first, so arrival order holds). Null: the chunk waits.
     */
    private SpecRecord specForChunk(String migration, RecordOutput out) {
        SpecRecord spec = spec(migration);
        if (spec != null) {
            return spec;
        }
        SpecRecord ahead = specLookup.find(migration);
        if (ahead != null) {
            LOG.debug("Spec of migration '{}' adopted ahead of its control record", migration);
            adopt(new Control.Spec(ahead), out);
        }
        return ahead;
    }

    /** A spec arrived (its control record, or ahead of it): kept, and the chunks that waited for it loaded. */
    private void adopt(Control.Spec s, RecordOutput out) {
        String migration = s.migration();
        specs.put(StoreKeys.migration(migration), CONTROL.serialize(null, s));
        specCache.put(migration, s.spec());
        migrationCache.remove(migration);
        postcopy.specArrived(migration, s.spec().target());
        List<Chunk> apart = order.apart(migration);
        if (!apart.isEmpty()) {
            LOG.info("Loading {} chunks of migration '{}' whose spec came late", apart.size(), migration);
            apart.forEach(c -> load(s.spec(), c, out));
        }
        drainQueue(out);
    }

    /** Loads the queued chunks whose spec is known now, in the partition's order. */
    private void drainQueue(RecordOutput out) {
        if (draining || !order.holding()) {
            return;
        }
        draining = true;
        try {
            for (ArrivalOrder.Waiting w : order.drain(m -> spec(m) != null || specLookup.find(m) != null,
                    context.currentSystemTimeMs())) {
                load(specForChunk(w.migration(), out), w.chunk(), out);
            }
        } finally {
            draining = false;
        }
    }

    private void control(Control control, RecordOutput out) {
        String migration = control.migration();
        if (control instanceof Control.Spec s) {
            adopt(s, out);
        } else if (control instanceof Control.SpecRemoved) {
            SpecRecord known = spec(migration);
            if (known != null) {
                postcopy.forget(migration, known.target(), out);
            }
            specs.delete(StoreKeys.migration(migration));
            specCache.remove(migration);
            migrationCache.remove(migration);
        } else if (control instanceof Control.BitmapTaken taken) {
            loadStore.putCompleted(taken.names());
            silentSources.progressed(taken.names().migration(), context.currentSystemTimeMs());
            SpecRecord takerSpec = spec(migration);
            if (takerSpec != null && takerSpec.replace()) {
                BitmapRemoval.replaced(loadStore, taken.names(), out);
            }
        } else if (control instanceof Control.BitmapRemoval removal) {
            BitmapRemoval.apply(loadStore, removal.names(), out);
        } else if (control instanceof Control.Switchover switchover) {
            postcopy.switchover(switchover, out);
        } else if (control instanceof Control.Write write) {
            postcopy.write(write, out);
        } else if (control instanceof Control.Barrier barrier) {
            postcopy.barrier(barrier, out);
        } else if (control instanceof Control.Revoke revoke) {
            BitmapRevocation.apply(loadStore, revoke, out);
        } else {
            // a cancel its source published reaches the tracker from here; the tracker's own decisions
            // come back too, and it ignores them (the migration already ended)
            var stop = ((Control.Stop) control).control();
            SpecRecord spec = spec(migration);
            loader.stopAndReport(Migration.of(migration, spec != null ? spec.target() : ""), stop.error(), out);
            if (stop.error().consequence() == Consequence.FAIL && spec != null) {
                // a failed migration's VM never starts on the destination
                postcopy.forget(migration, spec.target(), out);
            }
        }
    }

    private void load(SpecRecord spec, Chunk chunk, RecordOutput out) {
        if (spec.problem() != null) {
            loader.streamError(Migration.of(spec.migration(), spec.target()), spec.problem(), out);
            return;
        }
        Migration migration = migrationCache.computeIfAbsent(spec.migration(), id -> spec.toMigration());
        loader.accept(migration, chunk, out);
    }

    private SpecRecord spec(String migration) {
        SpecRecord cached = specCache.get(migration);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = specs.get(StoreKeys.migration(migration));
        if (bytes == null) {
            return null;
        }
        SpecRecord spec = ((Control.Spec) CONTROL.deserialize(null, bytes)).spec();
        specCache.put(migration, spec);
        return spec;
    }

    /** Keeps a chunk until its migration's spec, and every earlier chunk's, arrived; the offset keeps the order. */
    private void park(String migration, Chunk chunk) {
        long position = context.recordMetadata().map(m -> m.offset()).orElse(localPosition++);
        order.enqueue(migration, position, chunk, context.currentSystemTimeMs());
        LOG.debug("Chunk of migration '{}' waits for its spec", migration);
    }
}
