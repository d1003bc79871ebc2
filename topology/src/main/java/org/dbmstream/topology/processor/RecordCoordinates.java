package org.dbmstream.topology.processor;

import org.apache.kafka.streams.processor.api.ProcessorContext;

/** Where the record being processed came from, as log lines name it: {@code dbm.chunks-2@1234}. */
final class RecordCoordinates {
    private RecordCoordinates() {
    }

    static String of(ProcessorContext<?, ?> context) {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("(no input record: a scheduled check)");
    }
}
