package org.dbmstream.bitmap.load;

import java.util.Objects;
import org.dbmstream.bitmap.Granularity;

/**
 * Metadata of one bitmap on the destination (its bits are stored per chunk, apart).
 *
 * @param names       migration, target, node and bitmap, resolved and as aliased
 * @param granularity as sent in START
 * @param size        disk size in bytes: the destination node's when the migration lists it, else the
 *                    size START carried; -1 when neither is known
 * @param enabled     START's enabled flag: the bitmap records writes once the destination VM runs
 * @param persistent  after the mapping's transform, if any
 * @param phase       loading or complete
 * @param recording   whether the bitmap records destination writes now: after the switchover, an enabled
 *                    bitmap records into its successor while it loads and into itself once complete
 * @param successor   whether a disabled successor exists (START with enabled); merged back on COMPLETE
 * @param chunks      BITS chunks applied (ZEROES included)
 * @param endBit      one past the highest bit any BITS chunk covered (the extent when size is unknown)
 * @param count       QEMU's dirty count in bytes, once complete (else -1)
 * @param sha256      QEMU's sha256, once complete (else null)
 * @param replica     its versions and freshness ({@link ReplicaVersion#NONE} when unknown)
 */
public record BitmapState(BitmapNames names, Granularity granularity, long size, boolean enabled, boolean persistent,
        BitmapPhase phase, boolean recording, boolean successor, long chunks, long endBit, long count, String sha256,
        ReplicaVersion replica) {

    public BitmapState {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(granularity, "granularity");
        Objects.requireNonNull(phase, "phase");
        replica = replica == null ? ReplicaVersion.NONE : replica;
    }

    /** A state without version history (as stored before versions were kept). */
    public BitmapState(BitmapNames names, Granularity granularity, long size, boolean enabled, boolean persistent,
            BitmapPhase phase, boolean recording, boolean successor, long chunks, long endBit, long count,
            String sha256) {
        this(names, granularity, size, enabled, persistent, phase, recording, successor, chunks, endBit, count, sha256,
                ReplicaVersion.NONE);
    }

    /** A freshly STARTed bitmap: disabled, with a successor when START said enabled. */
    public static BitmapState started(BitmapNames names, Granularity granularity, long size, boolean enabled,
            boolean persistent) {
        return new BitmapState(names, granularity, size, enabled, persistent, BitmapPhase.LOADING, false, enabled,
                0, 0, -1, null);
    }

    /** Number of bits: from the disk size when known, else up to the highest bit received. */
    public long bitCount() {
        return size >= 0 ? granularity.bitsFor(size) : endBit;
    }

    /** After one more BITS chunk that covered bits up to {@code rangeEnd}. */
    public BitmapState withChunk(long rangeEnd) {
        return new BitmapState(names, granularity, size, enabled, persistent, phase, recording, successor, chunks + 1,
                Math.max(endBit, rangeEnd), count, sha256, replica);
    }

    /** After one more BITS chunk that covered bits up to {@code rangeEnd} with {@code payload} bytes. */
    public BitmapState withChunk(long rangeEnd, long payload) {
        BitmapState s = withChunk(rangeEnd);
        return s.withReplica(replica.received(payload));
    }

    /** With other version history. */
    public BitmapState withReplica(ReplicaVersion r) {
        return new BitmapState(names, granularity, size, enabled, persistent, phase, recording, successor, chunks,
                endBit, count, sha256, r);
    }

    /** Completed: the successor is reclaimed (merged back) and the digest is final. */
    public BitmapState completed(long count, String sha256) {
        return new BitmapState(names, granularity, size, enabled, persistent, BitmapPhase.COMPLETE, recording, false,
                chunks, endBit, count, sha256, replica);
    }

    /** Recording destination writes (switchover of an enabled bitmap), or not. */
    public BitmapState withRecording(boolean on) {
        return new BitmapState(names, granularity, size, enabled, persistent, phase, on, successor, chunks, endBit,
                count, sha256, replica);
    }

    /** A completed bitmap whose bits changed (destination writes): its new digest. */
    public BitmapState withDigest(long newCount, String newSha256) {
        return new BitmapState(names, granularity, size, enabled, persistent, phase, recording, successor, chunks,
                endBit, newCount, newSha256, replica);
    }
}
