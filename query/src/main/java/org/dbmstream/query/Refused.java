package org.dbmstream.query;

/**
 * A request the API will not serve, with the status and the JSON message that say why: 401 (no valid
 * credential; with {@code WWW-Authenticate}), 403 (a role that lacks the right, or a read-only API), 429 (too
 * many at once; with {@code Retry-After}), 400 (a bad path or parameter).
 */
final class Refused extends RuntimeException {
    private final int status;
    private final String challenge;

    private Refused(final int status, final String message, final String challenge) {
        super(message);
        this.status = status;
        this.challenge = challenge;
    }

    /** 401; {@code error} is the RFC 6750 error code ({@code invalid_token}) or null. */
    static Refused unauthenticated(final String message, final String error) {
        return new Refused(401, message, "Bearer realm=\"dbm-stream\"" + (error == null ? "" : ", error=\"" + error
                + "\""));
    }

    static Refused forbidden(final String message) {
        return new Refused(403, message, null);
    }

    static Refused busy(final String message) {
        return new Refused(429, message, null);
    }

    static Refused badRequest(final String message) {
        return new Refused(400, message, null);
    }

    int status() {
        return status;
    }

    /** The {@code WWW-Authenticate} value of a 401, else null. */
    String challenge() {
        return challenge;
    }
}
