package org.dbmstream.codec.savevm;

/**
 * A section header of a QEMU migration stream, as read. START and FULL headers carry the name,
 * instance id and version; PART and END carry only the id, and the name is looked up from the START.
 *
 * @param offset   offset of the section-type byte
 * @param type     which kind of header
 * @param id       section id
 * @param name     the section's idstr, e.g. {@code ram}, {@code dirty-bitmap}, {@code timer}
 * @param instance instance id (from the START/FULL header)
 * @param version  version id (from the START/FULL header)
 */
public record Section(long offset, Type type, long id, String name, long instance, long version) {

    /** Section header types (QEMU_VM_SECTION_*). */
    public enum Type {
        START(0x01), PART(0x02), END(0x03), FULL(0x04);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** The type byte on the wire. */
        public int code() {
            return code;
        }
    }
}
