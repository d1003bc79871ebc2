package org.dbmstream.source;

/** A migration could not be published (the broker refused or failed a send, or a transaction failed). */
public final class PublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
