package org.dbmstream.nbd;

import java.io.IOException;

/** Receives the extents of one metadata context in order, contiguous from offset 0 to the export's end. */
@FunctionalInterface
public interface ExtentSink {
    /** Bytes {@code [offset, offset + length)} have the context's status {@code flags}. */
    void extent(long offset, long length, int flags) throws IOException;
}
