package org.dbmstream.codec.savevm;

import java.io.IOException;

/**
 * A QEMU migration stream file that cannot be read: bad magic or version, a truncated section, a
 * missing or mismatched section footer, an unsupported construct. Carries the byte offset (in the
 * uncompressed stream) where reading stopped.
 */
public final class SavevmFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public SavevmFormatException(String message, long offset) {
        super(message + " (at offset 0x" + Long.toHexString(offset) + ")");
        this.offset = offset;
    }

    public SavevmFormatException(String message, long offset, Throwable cause) {
        this(message, offset);
        initCause(cause);
    }

    /** Offset in the uncompressed stream where reading stopped. */
    public long offset() {
        return offset;
    }
}
