package org.dbmstream.source.sync;

/** A round could not finish: the destination did not answer in time, or the sync topic cannot be written. */
public final class SyncException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SyncException(String message) {
        super(message);
    }

    public SyncException(String message, Throwable cause) {
        super(message, cause);
    }
}
