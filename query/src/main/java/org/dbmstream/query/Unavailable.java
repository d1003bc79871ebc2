package org.dbmstream.query;

/** The answer cannot be given right now (state not queryable, owner unknown or unreachable): HTTP 503. */
final class Unavailable extends RuntimeException {
    Unavailable(String message) {
        super(message);
    }

    Unavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
