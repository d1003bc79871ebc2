package org.dbmstream.topology.record;

import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.serdes.AvroSerde;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;

/**
 * The chunks topic's value serde, whose deserializer also checks that the value makes a valid chunk
 * (consistent flags, a granularity QEMU accepts, a payload exactly when not ZEROES). A value that does
 * not is undecodable like garbage bytes: it goes to the dead-letter queue, with the reason in headers.
 */
public final class CheckedChunkValueSerde implements Serde<ChunkValue>, Deserializer<ChunkValue> {
    private static final ChunkKey ANY_KEY = new ChunkKey("", "", "");
    private final AvroSerde<ChunkValue> avro;

    public CheckedChunkValueSerde(Map<String, ?> config) {
        this.avro = DbmSerdes.chunkValue(config);
    }

    @Override
    public ChunkValue deserialize(String topic, byte[] data) {
        ChunkValue value = avro.deserialize(topic, data);
        if (value == null) {
            return null;
        }
        try {
            ChunkRecords.toChunk(ANY_KEY, value);
        } catch (IllegalArgumentException e) {
            throw new SerializationException("chunk record on " + topic + " is not a valid chunk: " + e.getMessage(), e);
        }
        return value;
    }

    @Override
    public Serializer<ChunkValue> serializer() {
        return avro.serializer();
    }

    @Override
    public Deserializer<ChunkValue> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // configured at construction, from the application's config
    }

    @Override
    public void close() {
        avro.close();
    }
}
