package org.dbmstream.qcow2;

import java.io.IOException;

/** A qcow2 image that cannot be read as asked: not qcow2, unsupported, truncated or malformed. */
public class Qcow2Exception extends IOException {
    public Qcow2Exception(String message) {
        super(message);
    }
}
