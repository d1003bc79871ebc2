package org.dbmstream.source;

/**
 * A snapshot of one publication's progress.
 *
 * @param migration     migration id
 * @param phase         current stage
 * @param totalBits     bits of all selected bitmaps (the pending estimate when sending began)
 * @param pendingBits   QEMU's pending estimate: bits of bitmaps whose bulk phase is not done yet
 * @param records       records handed to the producer so far (spec and chunks)
 * @param bytes         serialized key+value bytes handed to the producer so far
 * @param elapsedNanos  time since the publication began
 */
public record PublishProgress(String migration, PublishPhase phase, long totalBits, long pendingBits,
        long records, long bytes, long elapsedNanos) {

    /** Bits already sent. */
    public long doneBits() {
        return totalBits - pendingBits;
    }

    /** Fraction done, 0..1 (1 when there is nothing to send). */
    public double fraction() {
        return totalBits == 0 ? 1.0 : (double) doneBits() / totalBits;
    }

    /** Average rate so far in bytes per second. */
    public double bytesPerSecond() {
        return elapsedNanos <= 0 ? 0.0 : bytes * 1e9 / elapsedNanos;
    }
}
