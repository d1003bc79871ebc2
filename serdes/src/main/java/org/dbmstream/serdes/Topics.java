package org.dbmstream.serdes;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Names of dbm-stream's Kafka topics (DESIGN.md section 6): a common prefix (default {@code dbm.})
 * followed by {@code chunks}, {@code migrations}, {@code events}, {@code writes} and {@code dlq}.
 */
public record Topics(String prefix) {
    /** Config key of the common prefix. */
    public static final String PREFIX_CONFIG = "dbm.topic.prefix";
    public static final String DEFAULT_PREFIX = "dbm.";
    /** Kafka's longest topic name. */
    private static final int MAX_TOPIC_LENGTH = 249;
    /** The longest name after the prefix. */
    private static final String LONGEST_TOPIC = "migrations";

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

    /**
     * What makes {@code prefix} unusable as the prefix of topic names (Kafka's rules: ASCII letters, digits,
     * '.', '_' and '-', at most 249 characters, here with the longest topic after it), or empty when it is fine.
     */
    public static Optional<String> prefixProblem(String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return Optional.of(String.format("'%s' holds %s, which Kafka topic names cannot hold "
                        + "(only ASCII letters, digits, '.', '_' and '-')", prefix,
                        c == ' ' ? "a space" : Character.isISOControl(c) ? String.format("U+%04X", (int) c)
                                : "'" + c + "'"));
            }
        }
        int longest = MAX_TOPIC_LENGTH - LONGEST_TOPIC.length();
        if (prefix.length() > longest) {
            return Optional.of("'" + prefix.substring(0, 40) + "...' has " + prefix.length()
                    + " characters; a topic prefix has at most " + longest + " (Kafka topic names at most "
                    + MAX_TOPIC_LENGTH + ", '" + LONGEST_TOPIC + "' included)");
        }
        return Optional.empty();
    }

    /** All five topic names. */
    public List<String> all() {
        return List.of(chunks(), migrations(), events(), writes(), dlq());
    }
}
