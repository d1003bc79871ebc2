package org.dbmstream.nbd;

import java.io.IOException;

/** The NBD server refused a request, broke the protocol, or did not answer in time. */
public class NbdException extends IOException {
    private static final long serialVersionUID = 1L;

    public NbdException(final String message) {
        super(message);
    }

    public NbdException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
