package org.dbmstream.serdes;

/**
 * A Kafka broker or schema registry could not be reached, resolved or authenticated to at start-up.
 * The message names the address and the cause, ready to show to a user.
 */
public final class ServiceUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServiceUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
