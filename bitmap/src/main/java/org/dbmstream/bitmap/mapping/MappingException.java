package org.dbmstream.bitmap.mapping;

/**
 * A {@code block-bitmap-mapping} that QEMU would refuse. The message is QEMU's own (for example
 * {@code The node alias 'x' is used twice}); {@link #qmpMessage()} adds the prefix QMP puts before it.
 */
public final class MappingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MappingException(String message) {
        super(message);
    }

    /** The message as {@code migrate-set-parameters} reports it. */
    public String qmpMessage() {
        return "Invalid mapping given for block-bitmap-mapping: " + getMessage();
    }
}
