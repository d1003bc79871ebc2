package org.dbmstream.export;

import java.io.IOException;

/** QEMU is missing, refused something or failed; the message says what and, where QEMU said why, its words. */
public class QemuException extends IOException {
    private static final long serialVersionUID = 1L;

    public QemuException(final String message) {
        super(message);
    }
}
