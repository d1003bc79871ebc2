package org.dbmstream.tls;

import java.io.IOException;

/** A certificate or key file is missing, unreadable or not in a form dbm reads; the message names the file. */
public class TlsFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public TlsFileException(final String message) {
        super(message);
    }

    public TlsFileException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
