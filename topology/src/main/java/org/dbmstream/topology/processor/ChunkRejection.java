package org.dbmstream.topology.processor;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dbmstream.bitmap.load.BitmapLoader;
import org.dbmstream.bitmap.load.Migration;
import org.dbmstream.topology.DeadLetterLog;
import org.dbmstream.topology.record.RejectedChunk;
import org.dbmstream.topology.record.SpecRecord;

/**
 * What the loading side does with a {@link RejectedChunk}: QEMU fails a migration on a read error, so the
 * migration its key names fails with the reason (its other chunks are then ignored, its final event
 * says why), the record goes to the dead-letter topic with the reason, migration and aliases in headers,
 * and {@link DeadLetterLog} names it at WARN. The headers use KIP-1034's names for the error, and {@code dbm.*} for the key.
 */
final class ChunkRejection {
    static final String EXCEPTION = "__streams.errors.exception";
    static final String MESSAGE = "__streams.errors.message";
    static final String MIGRATION = "dbm.migration";
    static final String NODE_ALIAS = "dbm.node-alias";
    static final String BITMAP_ALIAS = "dbm.bitmap-alias";

    private ChunkRejection() {
    }

    /** Fails the migration of {@code rejected} ({@code spec}: its spec, null when not known yet). */
    static void reject(RejectedChunk rejected, SpecRecord spec, BitmapLoader loader,
            ProcessorContext<String, Object> context, Record<?, ?> input, RecordOutput out) {
        String migration = rejected.key().getMigration();
        var where = context.recordMetadata();
        DeadLetterLog.sent(where.map(m -> m.topic()).orElse("?"), where.map(m -> m.partition()).orElse(-1),
                where.map(m -> m.offset()).orElse(-1L), migration,
                String.valueOf(context.appConfigs().get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG)),
                "not a valid chunk (node alias '" + rejected.key().getNodeAlias() + "', bitmap alias '"
                        + rejected.key().getBitmapAlias() + "'): " + rejected.reason(), "the migration fails");
        Headers headers = new RecordHeaders(input.headers().toArray());
        put(headers, EXCEPTION, "org.apache.kafka.common.errors.SerializationException");
        put(headers, MESSAGE, "not a valid chunk: " + rejected.reason());
        put(headers, MIGRATION, migration);
        put(headers, NODE_ALIAS, rejected.key().getNodeAlias());
        put(headers, BITMAP_ALIAS, rejected.key().getBitmapAlias());
        context.forward(new Record<>(migration, rejected, input.timestamp(), headers));
        loader.streamError(Migration.of(migration, spec != null ? spec.target() : ""),
                "rejected a chunk record (sent to the dead-letter topic): " + rejected.reason(), out);
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
