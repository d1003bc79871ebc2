package org.dbmstream.codec;

/**
 * A chunk needs a node or bitmap alias but none was sent on it and none is known from an earlier
 * chunk. QEMU's destination answers this with {@value #QEMU_MESSAGE} and cancels the bitmap
 * migration but keeps reading the stream, so this error leaves the decoder usable: the chunk's
 * bytes were consumed and the next chunk can be decoded.
 */
public final class MissingNameException extends ChunkFormatException {
    private static final long serialVersionUID = 1L;

    /** QEMU's exact message for this condition. */
    public static final String QEMU_MESSAGE = "Error: block device name is not set";

    public MissingNameException(long chunkOffset) {
        super(QEMU_MESSAGE, chunkOffset, chunkOffset);
    }
}
