package org.dbmstream.bitmap.load;

import java.util.Optional;
import java.util.function.LongSupplier;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * The versioned part of loading (DESIGN.md section 12), for {@link BitmapLoader}: a delta STARTs only on the
 * replica's current version of its name, stages its BITS and is applied in place at COMPLETE if the result is
 * the announced version; a removal START removes the replica's bitmap; a whole bitmap with an announced
 * version is checked at COMPLETE. A refusal changes nothing, settles that bitmap alone (its later chunks
 * are ignored) and lets its migration go on.
 */
final class ReplicaVersions {
    static final String REMOVED_AT_SOURCE = "removed at the source (dbm sync)";

    private final LoadStore store;
    private final LongSupplier clock;

    ReplicaVersions(LoadStore store, LongSupplier clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A delta's or a removal's START. */
    void start(Migration migration, BitmapNames names, Chunk.Start start, boolean persistent, long size,
            LoadOutput out) {
        Chunk.Version v = start.version();
        Optional<BitmapState> current = store.current(names.target(), names.node(), names.bitmap());
        if (v.remove()) {
            current.ifPresent(cur -> {
                store.deleteBitmap(cur.names().key());
                store.freeName(cur.names());
                out.event(new LoadEvent.BitmapRemoved(names, REMOVED_AT_SOURCE + " by migration '" + migration.id()
                        + "'"));
                // every partition frees the name, as for the query API's DELETE
                out.removed(cur.names());
            });
            out.fact(new MigrationFact.BitmapSettled(names, current.isPresent() ? "removed" : "absent"));
            return;
        }
        String why = baseProblem(names, current, v.base(), start.granularity().bytes(), size, start.enabled(),
                persistent);
        if (why != null) {
            refuse(names, why, out);
            return;
        }
        BitmapState state = new BitmapState(names, start.granularity(), size, start.enabled(), persistent,
                BitmapPhase.LOADING, false, false, 0, 0, -1, null, ReplicaVersion.started(start));
        store.putBitmap(names.key(), state);
        out.event(new LoadEvent.BitmapStarted(names, state.granularity(), size, state.enabled(), persistent));
    }

    /** A loading delta's BITS: staged under its own key, the overwritten bytes recorded. */
    void bits(BitmapState state, long firstBit, long count, byte[] payload) {
        BitmapKey key = state.names().key();
        long bitCount = state.bitCount();
        ChunkSlots.write(store, key, bitCount, firstBit, count, payload);
        long first = firstBit >>> 3;
        store.putTouched(key, first, first + org.dbmstream.bitmap.DirtyBitmap.serializationSize(firstBit, count));
        store.putBitmap(key, state.withChunk(firstBit + count, payload == null ? 0 : payload.length));
    }

    /** A loading delta's COMPLETE: applied to the current version if it still is the base and the result fits. */
    void completeDelta(Migration migration, BitmapState delta, LoadOutput out) {
        BitmapNames names = delta.names();
        Chunk.Version v = delta.replica().expected();
        Optional<BitmapState> current = store.current(names.target(), names.node(), names.bitmap());
        String why = baseProblem(names, current, v.base(), delta.granularity().bytes(), delta.size(),
                delta.enabled(), delta.persistent());
        if (why != null) {
            refuse(names, why, out);
            return;
        }
        BitmapState base = current.get();
        DeltaMerge merge = new DeltaMerge(store, base.names().key(), names.key(), base.bitCount());
        BitmapDigest.Result result = merge.digest(base.granularity());
        String mismatch = announcedMismatch(v, result);
        if (mismatch != null) {
            refuse(names, mismatch, out);
            return;
        }
        merge.apply();
        store.deleteBitmap(names.key());
        store.deleteTouched(names.key());
        long versions = Math.max(1, base.replica().versions()) + 1;
        ReplicaVersion made = new ReplicaVersion(versions, migration.id(), delta.replica().readTime(),
                clock.getAsLong(), null, delta.replica().bytes());
        store.putBitmap(base.names().key(), base.withDigest(result.count(), result.sha256()).withReplica(made));
        out.event(new LoadEvent.BitmapCompleted(names, base.granularity(), base.size(), base.enabled(),
                base.persistent(), result.count(), result.sha256(), delta.chunks(),
                new LoadEvent.VersionInfo(v.base(), delta.chunks(), versions, made.readTime(), made.bytes(),
                        base.names().migration())));
        out.fact(new MigrationFact.BitmapDone(names, base.names().migration()));
    }

    /** A whole bitmap's announced version against what loaded; a mismatch refuses it (the old version stays). */
    boolean refusedWhole(BitmapState state, BitmapDigest.Result result, LoadOutput out) {
        Chunk.Version v = state.replica().expected();
        String mismatch = v == null ? null : announcedMismatch(v, result);
        if (mismatch == null) {
            return false;
        }
        store.deleteBitmap(state.names().key().successor());
        refuse(state.names(), mismatch, out);
        return true;
    }

    /** Drops what the bitmap loaded, marks it refused (its later chunks are ignored) and settles it. */
    void refuse(BitmapNames names, String reason, LoadOutput out) {
        store.deleteBitmap(names.key());
        store.deleteTouched(names.key());
        store.putRefused(names.key());
        out.event(new LoadEvent.BitmapCancelled(names, "refused: " + reason, true));
        out.fact(new MigrationFact.BitmapSettled(names, reason));
    }

    /** Why a version of {@code names} cannot apply to the replica's current one; null when it can. */
    private static String baseProblem(BitmapNames names, Optional<BitmapState> current, String base,
            long granularity, long size, boolean enabled, boolean persistent) {
        String which = "the replica of '" + names.bitmap() + "' on node '" + names.node() + "' of target '"
                + names.target() + "'";
        if (current.isEmpty()) {
            return "the delta's base " + shortHash(base) + " is not here: " + which
                    + " does not exist (removed, never completed, or loaded on another partition)";
        }
        BitmapState cur = current.get();
        if (!base.equals(cur.sha256())) {
            return which + " is version " + shortHash(cur.sha256()) + " (by migration '"
                    + (cur.replica().madeBy() != null ? cur.replica().madeBy() : cur.names().migration())
                    + "'), not the delta's base " + shortHash(base);
        }
        if (cur.granularity().bytes() != granularity || cur.size() != size || cur.enabled() != enabled
                || cur.persistent() != persistent) {
            return which + " has granularity " + cur.granularity().bytes() + ", size " + cur.size() + ", enabled "
                    + cur.enabled() + ", persistent " + cur.persistent() + "; the delta has " + granularity + ", "
                    + size + ", " + enabled + ", " + persistent;
        }
        return null;
    }

    private static String announcedMismatch(Chunk.Version v, BitmapDigest.Result result) {
        boolean shaDiffers = v.sha256() != null && !v.sha256().equals(result.sha256());
        boolean countDiffers = v.count() >= 0 && v.count() != result.count();
        if (!shaDiffers && !countDiffers) {
            return null;
        }
        return "the result has sha256 " + shortHash(result.sha256()) + " and count " + result.count()
                + ", not the announced " + shortHash(v.sha256()) + " and " + v.count()
                + " (the base changed, or the source sent a wrong delta)";
    }

    /** The first 12 hex digits of a sha256, as messages name versions. */
    static String shortHash(String sha256) {
        return sha256 == null ? "(none)" : sha256.length() > 12 ? sha256.substring(0, 12) + "..." : sha256;
    }
}
