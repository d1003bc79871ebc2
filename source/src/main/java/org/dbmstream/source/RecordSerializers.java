package org.dbmstream.source;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.DbmSerdes;

/**
 * Turns chunk keys/values and migration specs into bytes with the project's serdes (embedded Avro by
 * default, or a schema registry, as the serde config says). Keys of the migrations topic are the
 * migration id in UTF-8.
 */
public final class RecordSerializers implements AutoCloseable {
    private final Serializer<ChunkKey> chunkKey;
    private final Serializer<ChunkValue> chunkValue;
    private final Serializer<MigrationSpec> spec;

    public RecordSerializers(Serializer<ChunkKey> chunkKey, Serializer<ChunkValue> chunkValue,
            Serializer<MigrationSpec> spec) {
        this.chunkKey = chunkKey;
        this.chunkValue = chunkValue;
        this.spec = spec;
    }

    /** Serializers configured from {@code serdeConfig} (see {@code org.dbmstream.serdes.SerdeConfig}). */
    public static RecordSerializers of(Map<String, ?> serdeConfig) {
        return new RecordSerializers(DbmSerdes.chunkKey(serdeConfig).serializer(),
                DbmSerdes.chunkValue(serdeConfig).serializer(), DbmSerdes.migrationSpec(serdeConfig).serializer());
    }

    /** Embedded encoding, no registry. */
    public static RecordSerializers embedded() {
        return of(Map.of());
    }

    public byte[] chunkKey(String topic, ChunkKey key) {
        return chunkKey.serialize(topic, key);
    }

    public byte[] chunkValue(String topic, ChunkValue value) {
        return chunkValue.serialize(topic, value);
    }

    public byte[] specKey(String migration) {
        return migration.getBytes(StandardCharsets.UTF_8);
    }

    public byte[] spec(String topic, MigrationSpec value) {
        return spec.serialize(topic, value);
    }

    @Override
    public void close() {
        chunkKey.close();
        chunkValue.close();
        spec.close();
    }
}
