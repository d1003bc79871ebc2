package org.dbmstream.bitmap.load;

import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.ReplicaNames;
import org.dbmstream.bitmap.QemuConstants;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * QEMU's load side ({@code dirty_bitmap_load}) for the bitmaps held in one {@link LoadStore}: per chunk,
 * resolve the aliases, then START creates the bitmap, BITS deserializes a range into the per-chunk
 * slots, COMPLETE digests it. Errors cancel or fail the migration with QEMU's message: the bitmaps of the
 * migration still loading here are dropped at once, later chunks of it are ignored, and a
 * {@link MigrationFact.Stopped} tells the migration's {@link MigrationTracker}, whose decision reaches the
 * other places the migration loads through {@link #stop}.
 */
public final class BitmapLoader {

    /** Bitmaps whose digest is computed as they load, per loader (see {@link StreamedDigests}). */
    static final int STREAMED_DIGESTS = 1024;

    private final LoadStore store;
    private final StreamedDigests digests = new StreamedDigests(STREAMED_DIGESTS);
    private final ReplicaVersions versions;
    private final LongSupplier clock;

    /**
     * A loader over {@code store}. It keeps running digests of the bitmaps loading in memory, so create a
     * new loader whenever the store may have been rolled back or restored (as a Kafka Streams task
     * does when it initializes).
     */
    public BitmapLoader(LoadStore store) {
        this(store, System::currentTimeMillis);
    }

    /** @param clock the wall clock (epoch ms) that stamps when a version completed */
    public BitmapLoader(LoadStore store, LongSupplier clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.versions = new ReplicaVersions(store, clock);
    }

    /** Loads one chunk of {@code migration}. */
    public void accept(Migration migration, Chunk chunk, LoadOutput out) {
        Optional<LoadError> stopped = store.stopReason(migration.id());
        if (stopped.isPresent() && stopped.get().consequence() == Consequence.FAIL) {
            return;
        }
        boolean cancelled = stopped.isPresent();
        if (chunk instanceof Chunk.Switchover) {
            // the VM starts even after a cancel: the bitmaps completed before it stay and record
            out.event(new LoadEvent.SwitchedOver(migration.id(), migration.target()));
            out.switchedOver(migration);
            return;
        }
        if (chunk instanceof Chunk.EndOfStream eos) {
            if (!cancelled && !eos.manifest().isEmpty()) {
                out.fact(new MigrationFact.Manifest(migration.id(), migration.target(), eos.manifest()));
            }
            return;
        }
        Resolution resolution = null;
        if (!cancelled) {
            resolution = resolve(migration, chunk);
            if (!resolution.ok()) {
                stopHere(migration, resolution.error(), out);
                cancelled = true;
            }
        }
        // QEMU refuses an oversized buffer before it looks at the cancelled state: even then it fails
        if (chunk instanceof Chunk.Bits bits && !bits.zeroes() && bits.payload().length > QemuConstants.MAX_BUFFER_SIZE) {
            stopHere(migration, LoadError.bufferTooBig(), out);
            return;
        }
        if (cancelled) {
            return;
        }
        if (chunk instanceof Chunk.Start start) {
            start(migration, resolution, start, out);
        } else if (chunk instanceof Chunk.Bits bits) {
            bits(migration, resolution, bits, out);
        } else {
            complete(migration, resolution, out);
        }
    }

    /**
     * Applies a migration-wide decision made elsewhere: drop this store's unfinished bitmaps of the
     * migration and ignore its later chunks. Idempotent; a fail replaces a cancel, never the reverse.
     */
    public void stop(MigrationControl control, LoadOutput out) {
        record(control.migration(), control.error(), out);
    }

    /**
     * QEMU's {@code before_vm_start} for this store's bitmaps of {@code migration}: an enabled bitmap
     * starts recording destination writes, into itself if it completed, else into its successor.
     * Bitmaps STARTed later record from their start. Idempotent.
     */
    public void switchover(String migration, LoadOutput out) {
        if (store.switchedOver(migration)) {
            return;
        }
        store.putSwitchedOver(migration);
        for (BitmapKey key : store.bitmapsOf(migration)) {
            Optional<BitmapState> found = store.bitmap(key);
            if (found.isEmpty() || !found.get().enabled() || found.get().recording()
                    || found.get().replica().loadingDelta()) {
                continue; // a delta records nothing: writes go to the replica it will be applied to
            }
            BitmapState state = found.get().withRecording(true);
            store.putBitmap(key, state);
            if (state.phase() == BitmapPhase.COMPLETE) {
                out.event(updated(state));
            }
        }
    }

    /**
     * A write on node {@code node} of {@code target} after the switchover, {@code length} bytes at
     * {@code offset}: sets the covered bits of every recording bitmap of that node held here (the
     * successor of a loading one). Returns how many bitmaps record it. Its cost does not grow with the
     * bitmap: a completed bitmap it changes is only marked, and {@link #flushUpdates} computes its count
     * and sha256 (a pass over the whole bitmap) once for all the writes since the last flush.
     */
    public int write(String target, String node, long offset, long length, LoadOutput out) {
        if (length <= 0 || offset < 0) {
            return 0;
        }
        int recording = 0;
        for (BitmapKey key : store.bitmapsOn(target, node)) {
            Optional<BitmapState> found = store.bitmap(key);
            if (found.isEmpty() || !found.get().recording() || found.get().replica().loadingDelta()) {
                continue;
            }
            recording++;
            BitmapState state = found.get();
            int shift = state.granularity().shift();
            long first = offset >>> shift;
            long count = ((offset + length - 1) >>> shift) - first + 1;
            long bitCount = state.size() >= 0 ? state.bitCount() : -1;
            if (state.phase() == BitmapPhase.LOADING) {
                store.setBits(key.successor(), bitCount, first, count);
            } else if (store.setBits(key, bitCount, first, count)) {
                store.putUpdatePending(key);
            }
        }
        return recording;
    }

    /**
     * Computes count and sha256 of every completed bitmap that writes changed since the last flush, stores
     * them and emits one BitmapUpdated per bitmap: at most one per bitmap per flush, however many writes
     * changed it. Returns how many bitmaps were updated.
     */
    public int flushUpdates(LoadOutput out) {
        int updated = 0;
        for (BitmapKey key : store.updatesPending()) {
            store.deleteUpdatePending(key);
            Optional<BitmapState> found = store.bitmap(key);
            if (found.isEmpty() || found.get().phase() != BitmapPhase.COMPLETE) {
                // removed, replaced or revoked meanwhile: nothing to report
                continue;
            }
            BitmapState state = found.get();
            BitmapDigest.Result digest = ChunkSlots.digest(store, key, state.granularity(), state.bitCount());
            if (digest.count() == state.count() && digest.sha256().equals(state.sha256())) {
                continue;
            }
            BitmapState changed = state.withDigest(digest.count(), digest.sha256());
            store.putBitmap(key, changed);
            out.event(updated(changed));
            updated++;
        }
        return updated;
    }

    /**
     * The completed bitmaps of {@code migration} held here, as they are now: call {@link #flushUpdates}
     * first, so their count and sha256 include every write applied.
     */
    public java.util.List<BitmapState> completedOf(String migration) {
        java.util.List<BitmapState> out = new java.util.ArrayList<>();
        for (BitmapKey key : store.bitmapsOf(migration)) {
            store.bitmap(key).filter(s -> s.phase() == BitmapPhase.COMPLETE).ifPresent(out::add);
        }
        return out;
    }

    private static LoadEvent.BitmapUpdated updated(BitmapState state) {
        return new LoadEvent.BitmapUpdated(state.names(), state.enabled(), state.recording(), state.count(),
                state.sha256());
    }

    /**
     * The migration's source cancelled it or went silent: cancel it from here, as QEMU cancels the
     * incoming side when the stream breaks (the tracker learns it and tells every partition).
     */
    public void cancel(Migration migration, String reason, LoadOutput out) {
        stopHere(migration, new LoadError(Consequence.CANCEL, reason), out);
    }

    /**
     * A decision that reached this store from outside the chunks (a cancel its source published): applied
     * as {@link #stop}, and reported to the tracker when it changed something here.
     */
    public void stopAndReport(Migration migration, LoadError error, LoadOutput out) {
        stopHere(migration, error, out);
    }

    /** Whether this store holds a bitmap of {@code migration} that is still loading. */
    public boolean hasLoading(String migration) {
        for (BitmapKey key : store.bitmapsOf(migration)) {
            Optional<BitmapState> state = store.bitmap(key);
            if (state.isPresent() && state.get().phase() == BitmapPhase.LOADING) {
                return true;
            }
        }
        return false;
    }

    /**
     * A read error of the migration's stream (QEMU: stream version other than 1, a truncated chunk): the
     * migration fails.
     */
    public void streamError(Migration migration, String detail, LoadOutput out) {
        stopHere(migration, LoadError.streamError(detail), out);
    }

    private Resolution resolve(Migration migration, Chunk chunk) {
        if (chunk instanceof Chunk.Start s) {
            return Resolution.of(migration, s.nodeAlias(), s.bitmapAlias());
        }
        if (chunk instanceof Chunk.Bits b) {
            return Resolution.of(migration, b.nodeAlias(), b.bitmapAlias());
        }
        Chunk.Complete c = (Chunk.Complete) chunk;
        return Resolution.of(migration, c.nodeAlias(), c.bitmapAlias());
    }

    private void start(Migration migration, Resolution resolution, Chunk.Start start, LoadOutput out) {
        BitmapNames names = resolution.names();
        Optional<String> badName = ReplicaNames.problem(ReplicaNames.Kind.TARGET, names.target())
                .or(() -> ReplicaNames.problem(ReplicaNames.Kind.NODE, names.node()))
                .or(() -> ReplicaNames.problem(ReplicaNames.Kind.BITMAP, names.bitmap()));
        if (badName.isPresent()) {
            stopHere(migration, LoadError.refusedName(badName.get()), out);
            return;
        }
        Chunk.Version version = start.version();
        boolean onReplica = version != null && (version.delta() || version.remove());
        // with replace, a completed bitmap of the name stays until this one completes, then goes; a delta or a
        // removal needs the name to be taken
        if (store.bitmap(names.key()).isPresent() || !onReplica && !migration.replace()
                && store.completedBy(names.target(), names.node(), names.bitmap()).isPresent()) {
            stopHere(migration, LoadError.alreadyExists(names.bitmap()), out);
            return;
        }
        if (start.reservedFlags() != 0) {
            stopHere(migration, LoadError.unknownFlags(start.flags()), out);
            return;
        }
        boolean persistent = resolution.entry() == null ? start.persistent()
                : resolution.entry().persistentOr(start.persistent());
        long size = migration.nodeSize(names.node()).orElse(start.diskSize() >= 0 ? start.diskSize() : -1L);
        if (onReplica) {
            versions.start(migration, names, start, persistent, size, out);
            return;
        }
        BitmapState state = BitmapState.started(names, start.granularity(), size, start.enabled(), persistent)
                .withReplica(ReplicaVersion.started(start));
        if (state.enabled() && store.switchedOver(migration.id())) {
            // the VM runs already: the successor records from the start
            state = state.withRecording(true);
        }
        store.putBitmap(names.key(), state);
        digests.begin(names.key(), state.granularity(), size >= 0 ? state.bitCount() : -1);
        out.event(new LoadEvent.BitmapStarted(names, state.granularity(), size, state.enabled(), persistent));
    }

    private void bits(Migration migration, Resolution resolution, Chunk.Bits bits, LoadOutput out) {
        BitmapNames names = resolution.names();
        if (store.refused(names.key())) {
            return; // a refused version: its chunks change nothing
        }
        Optional<BitmapState> found = loading(migration, names, out);
        if (found.isEmpty()) {
            return;
        }
        BitmapState state = found.get();
        int shift = state.granularity().shift();
        if (bits.firstSector() > (Long.MAX_VALUE >>> QemuConstants.SECTOR_BITS) - bits.sectors()) {
            stopHere(migration, LoadError.rangeOutside(names.bitmap(), Long.MAX_VALUE, Long.MAX_VALUE,
                    state.bitCount()), out);
            return;
        }
        long firstByte = bits.firstSector() << QemuConstants.SECTOR_BITS;
        long bytes = bits.sectors() << QemuConstants.SECTOR_BITS;
        long firstBit = firstByte >>> shift;
        long count = bytes == 0 ? 0 : ((firstByte + bytes - 1) >>> shift) - firstBit + 1;
        if ((firstBit & 63) != 0) {
            stopHere(migration, LoadError.rangeMisaligned(names.bitmap(), firstBit), out);
            return;
        }
        if (state.size() >= 0 && firstBit + count > state.bitCount()) {
            stopHere(migration, LoadError.rangeOutside(names.bitmap(), firstBit, firstBit + count, state.bitCount()),
                    out);
            return;
        }
        if (!bits.zeroes()) {
            long needed = DirtyBitmap.serializationSize(firstBit, count);
            long given = bits.payload().length;
            if (given < needed || given > QemuConstants.alignUp(needed, QemuConstants.BUFFER_ALIGN)) {
                stopHere(migration, LoadError.granularityMismatch(names.bitmap()), out);
                return;
            }
        }
        if (state.replica().loadingDelta()) {
            versions.bits(state, firstBit, count, bits.payload());
            return;
        }
        long bitCount = state.size() >= 0 ? state.bitCount() : -1;
        ChunkSlots.write(store, digests, names.key(), bitCount, firstBit, count, bits.payload());
        store.putBitmap(names.key(), state.withChunk(firstBit + count, bits.zeroes() ? 0 : bits.payload().length));
    }

    private void complete(Migration migration, Resolution resolution, LoadOutput out) {
        BitmapNames names = resolution.names();
        if (store.refused(names.key())) {
            return;
        }
        Optional<BitmapState> found = loading(migration, names, out);
        if (found.isEmpty()) {
            return;
        }
        BitmapState state = found.get();
        if (state.replica().loadingDelta()) {
            versions.completeDelta(migration, state, out);
            return;
        }
        // the name's holder in this task: QEMU's "already exists" decided here, in the partition's order, when
        // another migration completed it first; with replace, that bitmap goes once this one is in
        Optional<String> holder = store.completedBy(names.target(), names.node(), names.bitmap())
                .filter(h -> !h.equals(names.migration()));
        if (holder.isPresent() && !migration.replace()) {
            stopHere(migration, LoadError.alreadyExists(names.bitmap()), out);
            return;
        }
        // reclaim: the writes the successor recorded join the migrated bits (union); the bitmap is enabled
        // now if its successor was, so 'recording' carries over
        boolean merged = state.successor() && store.mergeBits(names.key().successor(), names.key());
        if (merged) {
            digests.forget(names.key());
        }
        // computed while loading when the chunks came in order (QEMU's way); read back from the store otherwise
        BitmapDigest.Result digest = (merged ? Optional.<BitmapDigest.Result>empty() : digests.finish(names.key()))
                .orElseGet(() -> ChunkSlots.digest(store, names.key(), state.granularity(), state.bitCount()));
        if (!merged && versions.refusedWhole(state, digest, out)) {
            digests.forget(names.key());
            return;
        }
        long number = 1;
        if (holder.isPresent()) {
            Optional<BitmapState> replaced = store.current(names.target(), names.node(), names.bitmap());
            if (replaced.isPresent()) {
                number = Math.max(1, replaced.get().replica().versions()) + 1;
                BitmapNames old = replaced.get().names();
                store.deleteBitmap(old.key());
                store.freeName(old);
                out.event(new LoadEvent.BitmapRemoved(old, "replaced by migration '" + names.migration() + "'"));
            }
        }
        BitmapState done = state.completed(digest.count(), digest.sha256())
                .withReplica(state.replica().completed(number, null, clock.getAsLong()));
        store.putBitmap(names.key(), done);
        store.putCompleted(names);
        out.event(new LoadEvent.BitmapCompleted(names, done.granularity(), done.size(), done.enabled(),
                done.persistent(), done.count(), done.sha256(), done.chunks(), new LoadEvent.VersionInfo(null, -1,
                        number, done.replica().readTime(), done.replica().bytes(), null)));
        out.fact(new MigrationFact.BitmapDone(names));
    }

    /** The bitmap's state if it is loading; unknown bitmaps cancel, completed ones ignore the chunk. */
    private Optional<BitmapState> loading(Migration migration, BitmapNames names, LoadOutput out) {
        Optional<BitmapState> state = store.bitmap(names.key());
        if (state.isEmpty()) {
            stopHere(migration, LoadError.unknownBitmap(names.bitmap(), names.node()), out);
            return Optional.empty();
        }
        if (state.get().phase() != BitmapPhase.LOADING) {
            // QEMU would write into the migrated bitmap; its completion was reported already, so keep it
            // (why: ChunksAfterCompleteTest, README "Chunks after COMPLETE")
            out.ignored(migration, "bitmap '" + names.bitmap() + "' on node '" + names.node() + "' completed "
                    + "already (a chunk after COMPLETE, from a stray or replayed source)");
            return Optional.empty();
        }
        return state;
    }

    /** An error found here: apply it to this store's bitmaps and tell the migration's tracker. */
    private void stopHere(Migration migration, LoadError error, LoadOutput out) {
        if (record(migration.id(), error, out)) {
            out.fact(new MigrationFact.Stopped(migration.id(), migration.target(), error));
        }
    }

    /** Records the stop and drops unfinished bitmaps; false when it changes nothing. */
    private boolean record(String migration, LoadError error, LoadOutput out) {
        Optional<LoadError> before = store.stopReason(migration);
        if (before.isPresent()
                && (before.get().consequence() == Consequence.FAIL || error.consequence() == Consequence.CANCEL)) {
            return false;
        }
        store.putStopReason(migration, error);
        for (BitmapKey key : store.bitmapsOf(migration)) {
            Optional<BitmapState> state = store.bitmap(key);
            if (state.isPresent() && state.get().phase() == BitmapPhase.LOADING) {
                // QEMU reclaims the successor, then releases the bitmap: both go
                store.deleteBitmap(key.successor());
                store.deleteBitmap(key);
                store.deleteTouched(key);
                digests.forget(key);
                out.event(new LoadEvent.BitmapCancelled(state.get().names(), error.message()));
            }
        }
        return true;
    }
}
