package org.dbmstream.topology.record;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.dbmstream.bitmap.load.MigrationFact;
import org.dbmstream.topology.codec.FactCodec;

/** Serde of {@link MigrationFact}s on the repartition topic keyed by migration. */
public final class FactSerde implements Serde<MigrationFact>, Serializer<MigrationFact>, Deserializer<MigrationFact> {

    @Override
    public byte[] serialize(String topic, MigrationFact fact) {
        return fact == null ? null : FactCodec.encode(fact);
    }

    @Override
    public MigrationFact deserialize(String topic, byte[] bytes) {
        return bytes == null ? null : FactCodec.decode(bytes);
    }

    @Override
    public Serializer<MigrationFact> serializer() {
        return this;
    }

    @Override
    public Deserializer<MigrationFact> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the layout is fixed
    }

    @Override
    public void close() {
        // nothing to release
    }
}
