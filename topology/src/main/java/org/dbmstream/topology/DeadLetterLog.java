package org.dbmstream.topology;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one WARN line of every record the destination sends to the dead-letter topic, in dbm's own logger (the
 * CLI keeps {@code org.apache.kafka} at ERROR, so Kafka's own handler line never reaches an operator): where
 * the record was (topic, partition, offset), the migration it names, and why it was refused, in words.
 */
public final class DeadLetterLog {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterLog.class);

    private DeadLetterLog() {
    }

    /**
     * Logs that the record at {@code topic}-{@code partition}@{@code offset} went to {@code deadLetterTopic}
     * ({@code migration}: null when its key names none that can be read; {@code consequence}: what else
     * happens, or null).
     */
    public static void sent(String topic, int partition, long offset, String migration, String deadLetterTopic,
            String cause, String consequence) {
        LOG.warn("Record {}-{}@{} of {} sent to the dead-letter topic {}{}: {}", topic, partition, offset,
                migration == null ? "no readable migration" : "migration '" + migration + "'", deadLetterTopic,
                consequence == null ? "" : " (" + consequence + ")", cause);
    }

    /** A failure and its causes in one line, each message once: "cannot decode ...: unknown schema id 42". */
    public static String words(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t != e && t.getMessage() == null) {
                continue; // a bare cause (EOFException) that the message above it already put in words
            }
            String m = t.getMessage() != null ? t.getMessage() : describe(t);
            if (out.indexOf(m) < 0) {
                out.append(out.length() == 0 ? "" : ": ").append(m);
            }
        }
        return out.toString().replace('\n', ' ');
    }

    /** An exception that carries no message, in words. */
    private static String describe(Throwable t) {
        if (t instanceof java.io.EOFException) {
            return "the record ends before its data does (truncated)";
        }
        if (t instanceof ArrayIndexOutOfBoundsException || t instanceof IndexOutOfBoundsException) {
            return "a length or index in the record points past its end (corrupt)";
        }
        if (t instanceof NegativeArraySizeException) {
            return "a length in the record is negative (corrupt)";
        }
        return t.getClass().getSimpleName();
    }
}
