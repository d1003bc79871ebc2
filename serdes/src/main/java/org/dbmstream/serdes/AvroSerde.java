package org.dbmstream.serdes;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serde} of one generated Avro type. Unconfigured it writes the embedded format;
 * {@link #configure} (called by Kafka for serdes named in configs, or by {@link DbmSerdes}) picks the
 * format and registry from {@link SerdeConfig} keys. Null values pass through as null (tombstones).
 */
public class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    private final Class<T> type;
    private volatile boolean isKey;
    private volatile AvroCodec<T> codec;

    /** An embedded-format serde of {@code type}; call {@link #configure} to change that. */
    public AvroSerde(Class<T> type) {
        this.type = type;
        this.codec = new AvroCodec<>(type, SerdeConfig.embedded(), null);
    }

    /** A serde of {@code type} configured from {@code config}. */
    public AvroSerde(Class<T> type, Map<String, ?> config, boolean isKey) {
        this(type);
        configure(config, isKey);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SerdeConfig config = SerdeConfig.from(configs);
        this.isKey = isKey;
        this.codec = new AvroCodec<>(type, config,
                config.registry() == null ? null : new SchemaRegistryClient(config.registry()));
    }

    /** The type this serde handles. */
    public Class<T> type() {
        return type;
    }

    /** The codec in use (format, schema). */
    public AvroCodec<T> codec() {
        return codec;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : codec.encode(topic, isKey, data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : codec.decode(topic, data);
    }

    @Override
    public void close() {
        // nothing held open: the HTTP client has no connections to release explicitly
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }
}
