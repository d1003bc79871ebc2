package org.dbmstream.topology.record;

import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.serdes.AvroSerde;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;

/**
 * The chunks topic's value deserializer for the destination: decodes the Avro value and turns it into
 * a {@link Chunk} (kept with its source id and sequence number), which checks that it makes a valid
 * chunk (consistent flags, a granularity QEMU accepts, a payload exactly when not ZEROES). Bytes that are
 * no Avro value go to the dead-letter queue (KIP-1034); a well-formed value that makes no valid chunk is
 * handed on as invalid, so that the migration its key names fails ({@link RejectedChunk}). The value
 * carries no aliases (they are in the key): {@link #withKey} puts them in, without decoding or copying the
 * payload again. The destination only reads chunks: the serializer refuses.
 */
public final class CheckedChunkValueSerde implements Serde<ReceivedChunk>, Deserializer<ReceivedChunk> {
    private static final ChunkKey ANY_KEY = new ChunkKey("", "", "");
    private final AvroSerde<ChunkValue> avro;

    public CheckedChunkValueSerde(Map<String, ?> config) {
        this.avro = DbmSerdes.chunkValue(config);
    }

    @Override
    public ReceivedChunk deserialize(String topic, byte[] data) {
        ChunkValue value = avro.deserialize(topic, data);
        if (value == null) {
            return null;
        }
        try {
            return new ReceivedChunk(ChunkRecords.toChunk(ANY_KEY, value), value.getSourceId(), value.getSequence());
        } catch (IllegalArgumentException e) {
            // the key (not known here) may name the migration: the loading side fails it and dead-letters this
            return ReceivedChunk.invalid(value, data);
        }
    }

    /** Why {@code value} makes no valid chunk, in the words of a record keyed {@code key} (naming it). */
    static String problem(ChunkKey key, ChunkValue value) {
        try {
            ChunkRecords.toChunk(key, value);
            return "chunk of migration '" + key.getMigration() + "' is not valid";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The chunk {@link #deserialize} made, with the node and bitmap aliases of its record's key. */
    public static Chunk withKey(ChunkKey key, Chunk chunk) {
        String node = key.getNodeAlias();
        String bitmap = key.getBitmapAlias();
        if (chunk instanceof Chunk.Start s) {
            return s.withAliases(node, bitmap);
        }
        if (chunk instanceof Chunk.Bits b) {
            return new Chunk.Bits(node, bitmap, b.firstSector(), b.sectors(), b.payload());
        }
        if (chunk instanceof Chunk.Complete) {
            return new Chunk.Complete(node, bitmap);
        }
        return chunk;
    }

    @Override
    public Serializer<ReceivedChunk> serializer() {
        return (topic, chunk) -> {
            throw new SerializationException("the destination reads chunks, it does not write them (topic " + topic
                    + ")");
        };
    }

    @Override
    public Deserializer<ReceivedChunk> deserializer() {
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
