package org.dbmstream.codec;

import java.io.EOFException;

/**
 * The input ended inside a field. Thrown by {@link WireReader}; decoders turn it into their own
 * format error naming the chunk or section.
 */
public final class InputTruncatedException extends EOFException {
    private static final long serialVersionUID = 1L;

    private final long endOffset;
    private final long fieldOffset;

    public InputTruncatedException(String field, long fieldOffset, long needed, long endOffset) {
        super("input ends at offset 0x" + Long.toHexString(endOffset) + " inside " + field + " (field at 0x"
                + Long.toHexString(fieldOffset) + ", " + needed + " bytes)");
        this.endOffset = endOffset;
        this.fieldOffset = fieldOffset;
    }

    /** Offset at which the input ended. */
    public long endOffset() {
        return endOffset;
    }

    /** Offset of the field that could not be read whole. */
    public long fieldOffset() {
        return fieldOffset;
    }
}
