package org.dbmstream.bitmap.source;

/** A source bitmap QEMU would refuse to migrate; the message is QEMU's. */
public final class SelectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SelectionException(String message) {
        super(message);
    }
}
