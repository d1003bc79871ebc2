package org.dbmstream.source.sync;

/**
 * What a round did to one bitmap of the replica.
 *
 * @param id      the bitmap's destination names
 * @param result  what happened
 * @param chunks  BITS chunks sent for it (a delta: the changed ones)
 * @param bytes   bytes of BITS payload sent for it
 * @param sha256  the replica's version now (null when removed or unknown)
 * @param count   QEMU's count of that version (-1 when unknown)
 * @param detail  why it went whole, or why it failed (null otherwise)
 */
public record BitmapOutcome(BitmapIdentity id, Result result, long chunks, long bytes, String sha256, long count,
        String detail) {

    /** What a round did to one bitmap. */
    public enum Result {
        /** Nothing sent: the replica has this version already. */
        UNCHANGED,
        /** The changed chunks were applied to the replica's version. */
        DELTA,
        /** Sent whole (new, geometry changed, or a refused delta's fallback). */
        FULL,
        /** Gone at the source: removed from the replica. */
        REMOVED,
        /** The destination did not take it; the replica's version is unknown until a later round. */
        FAILED
    }

    /** Whether this bitmap's replica is the source's version (or gone with it). */
    public boolean ok() {
        return result != Result.FAILED;
    }
}
