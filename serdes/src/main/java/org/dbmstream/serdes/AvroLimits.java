package org.dbmstream.serdes;

/**
 * Bounds what one Avro record may make a reader allocate. Avro allocates a string, bytes or array of
 * the length a record claims before it reads it (its default limits are about 2 GiB), so a 40-byte
 * poison record claiming a long string could take the destination's heap; with these limits it is an
 * ordinary decoding error and goes to the dead-letter queue. Avro reads the limits from system
 * properties once; a value set by the user ({@code -D...}) is kept.
 */
final class AvroLimits {
    /** Longest string or bytes field accepted: far above any dbm record, far below a heap. */
    static final long MAX_FIELD_BYTES = 8L << 20;
    /** Most items in one array or map field. */
    static final long MAX_COLLECTION_ITEMS = 1L << 20;

    private AvroLimits() {
    }

    /** Sets the limits unless the user set them; must run before Avro decodes its first record. */
    static void install() {
        setIfAbsent("org.apache.avro.limits.string.maxLength", MAX_FIELD_BYTES);
        setIfAbsent("org.apache.avro.limits.bytes.maxLength", MAX_FIELD_BYTES);
        setIfAbsent("org.apache.avro.limits.collectionItems.maxLength", MAX_COLLECTION_ITEMS);
    }

    private static void setIfAbsent(String property, long value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Long.toString(value));
        }
    }
}
