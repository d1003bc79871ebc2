package org.dbmstream.codec;

import java.io.IOException;

/**
 * A dirty-bitmap chunk that cannot be decoded: truncated input, garbage flags, a bad counted string or
 * a buffer size a destination must refuse before allocating it. A checked {@link IOException} because
 * a malformed chunk is a property of the input, like a corrupt zip entry.
 *
 * <p>{@link #offset()} is where decoding stopped: for truncated input the offset at which the input
 * ended, otherwise the offset of the offending field. {@link #chunkOffset()} is where the chunk began.
 */
public class ChunkFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final long chunkOffset;

    public ChunkFormatException(String message, long offset, long chunkOffset) {
        super(message + " (at offset 0x" + Long.toHexString(offset) + ", chunk at 0x"
                + Long.toHexString(chunkOffset) + ")");
        this.offset = offset;
        this.chunkOffset = chunkOffset;
    }

    /** Byte offset where decoding stopped (see class comment). */
    public long offset() {
        return offset;
    }

    /** Byte offset of the first flags byte of the chunk being decoded. */
    public long chunkOffset() {
        return chunkOffset;
    }
}
