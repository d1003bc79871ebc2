package org.dbmstream.connectors;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Connect source partitions and offsets of the connector: the partition is one image
 * ({@code {"image": absolute path}}), the offset where its migration stands
 * ({@code {"migration": id, "position": next record, "done": bool}}).
 */
record SourceOffsets(String migration, long position, boolean done) {
    static final String IMAGE = "image";
    static final String MIGRATION = "migration";
    static final String POSITION = "position";
    static final String DONE = "done";

    static Map<String, String> partition(Path image) {
        return Map.of(IMAGE, image.toString());
    }

    Map<String, Object> toMap() {
        return Map.of(MIGRATION, migration, POSITION, position, DONE, done);
    }

    /** Parses a stored offset; numbers come back from Connect's JSON as Integer or Long. */
    static SourceOffsets parse(Map<String, ?> partition, Map<String, ?> offset) {
        Object m = offset.get(MIGRATION);
        Object p = offset.get(POSITION);
        Object d = offset.get(DONE);
        if (!(m instanceof String) || !(p instanceof Number) || ((Number) p).longValue() < 0
                || (d != null && !(d instanceof Boolean))) {
            throw new ConnectException("malformed source offset " + offset + " for " + partition
                    + ": expected {\"migration\": string, \"position\": number >= 0, \"done\": boolean}");
        }
        return new SourceOffsets((String) m, ((Number) p).longValue(), Boolean.TRUE.equals(d));
    }
}
