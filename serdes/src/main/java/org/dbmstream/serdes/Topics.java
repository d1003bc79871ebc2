package org.dbmstream.serdes;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Names of dbm-stream's Kafka topics (DESIGN.md section 6): a common prefix (default {@code dbm.})
 * followed by {@code chunks}, {@code migrations}, {@code events}, {@code writes} and {@code dlq}.
 */
public record Topics(String prefix) {
    /** Config key of the common prefix. */
    public static final String PREFIX_CONFIG = "dbm.topic.prefix";
    public static final String DEFAULT_PREFIX = "dbm.";

    public Topics {
        Objects.requireNonNull(prefix, "prefix");
    }

    /** Topics with the default prefix {@code dbm.}. */
    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** Topics with the prefix from {@value #PREFIX_CONFIG} in {@code config}, else the default. */
    public static Topics fromConfig(Map<String, ?> config) {
        Object p = config.get(PREFIX_CONFIG);
        return new Topics(p == null ? DEFAULT_PREFIX : p.toString());
    }

    /** Input: chunk records keyed by migration, node alias and bitmap alias. */
    public String chunks() {
        return prefix + "chunks";
    }

    /** Compacted: migration id to migration spec. */
    public String migrations() {
        return prefix + "migrations";
    }

    /** Output: bitmap and migration events. */
    public String events() {
        return prefix + "events";
    }

    /** Destination writes after switchover. */
    public String writes() {
        return prefix + "writes";
    }

    /** Records that could not be decoded, with the error in headers. */
    public String dlq() {
        return prefix + "dlq";
    }

    /**
     * Compacted: what {@code dbm sync} remembers of each replica bitmap it keeps current (confirmed version and
     * chunk digests; DESIGN.md section 12). Not among {@link #all()}: only sync reads and writes it.
     */
    public String sync() {
        return prefix + "sync";
    }

    /** All five topic names. */
    public List<String> all() {
        return List.of(chunks(), migrations(), events(), writes(), dlq());
    }
}
