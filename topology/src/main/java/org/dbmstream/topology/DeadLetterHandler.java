package org.dbmstream.topology;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;

/**
 * The destination's deserialization handler: a record that cannot be decoded is skipped and sent to the
 * dead-letter topic with KIP-1034's headers, as Kafka's {@code LogAndContinueExceptionHandler} does, and
 * {@link DeadLetterLog} names it at WARN with the migration its key names (a chunk key decoded, or a migration
 * id as text) and the cause, instead of Kafka's own line and stack trace.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {
    private String deadLetterTopic;
    private String chunksTopic;
    private Deserializer<ChunkKey> chunkKeys;

    @Override
    public void configure(Map<String, ?> configs) {
        Object dlq = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        deadLetterTopic = dlq == null ? null : dlq.toString();
        chunksTopic = Topics.fromConfig(configs).chunks();
        chunkKeys = DbmSerdes.chunkKey(configs).deserializer();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
            Exception exception) {
        DeadLetterLog.sent(record.topic(), record.partition(), record.offset(), migration(record),
                deadLetterTopic == null ? "(none configured: dropped)" : deadLetterTopic,
                DeadLetterLog.words(exception), "skipped, loading goes on");
        // the records Kafka's own handler would send: same topic, key, value and error headers
        List<ProducerRecord<byte[], byte[]>> dead = ExceptionHandlerUtils.maybeBuildDeadLetterQueueRecords(
                deadLetterTopic, context.sourceRawKey(), context.sourceRawValue(), context, exception);
        return Response.resume(dead);
    }

    /** The migration the record's key names: a chunk key's, or a key that is a migration id; null if neither. */
    private String migration(ConsumerRecord<byte[], byte[]> record) {
        byte[] key = record.key();
        if (key == null || key.length == 0) {
            return null;
        }
        if (record.topic().equals(chunksTopic) && chunkKeys != null) {
            try {
                ChunkKey k = chunkKeys.deserialize(record.topic(), key);
                return k == null ? null : k.getMigration();
            } catch (RuntimeException e) {
                return null;
            }
        }
        try {
            // the migrations, control and events topics are keyed by the migration id as UTF-8
            String id = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key)).toString();
            return id.chars().allMatch(c -> c >= 0x20) ? id : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
