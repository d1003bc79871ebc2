package org.dbmstream.topology;

import org.dbmstream.testkit.CapturedLogs;

/**
 * The log lines of records sent to the dead-letter topic, captured while a test sends them on purpose: dbm's
 * {@link DeadLetterLog} line, and Kafka Streams' own "Skipping record due to deserialization error" with its
 * stack trace, which would otherwise fill the build log.
 */
public final class DeadLetterLogs {
    private DeadLetterLogs() {
    }

    public static CapturedLogs capture() {
        return CapturedLogs.of(DeadLetterLog.class.getName(),
                "org.apache.kafka.streams.processor.internals.RecordDeserializer");
    }

    /** The dead-letter lines of {@code logs} (dbm's own, not Kafka's). */
    public static java.util.List<String> lines(CapturedLogs logs) {
        return logs.warnings().stream().filter(m -> m.contains(" sent to the dead-letter topic ")).toList();
    }
}
