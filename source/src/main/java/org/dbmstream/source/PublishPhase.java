package org.dbmstream.source;

/** Where a publication stands, after QEMU's save-side stages (setup, bulk, completion). */
public enum PublishPhase {
    /** The migration spec and the START chunks are being sent. */
    SETUP,
    /** BITS chunks are being sent (rate-limited). */
    BULK,
    /** COMPLETE chunks and the final EndOfStream are being sent. */
    COMPLETION,
    /** Everything was sent and acknowledged (committed, with transactions). */
    DONE
}
