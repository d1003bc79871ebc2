package org.dbmstream.topology.claim;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.load.LoadEvent;
import org.dbmstream.topology.codec.BinaryReader;
import org.dbmstream.topology.codec.BinaryWriter;
import org.dbmstream.topology.codec.StateCodec;

/** Serde of {@link ClaimRequest}s on the repartition topic keyed by name (version byte, then the fields). */
public final class ClaimRequestSerde implements Serde<ClaimRequest>, Serializer<ClaimRequest>,
        Deserializer<ClaimRequest> {
    private static final int VERSION = 1;

    @Override
    public byte[] serialize(String topic, ClaimRequest request) {
        if (request == null) {
            return null;
        }
        LoadEvent.BitmapCompleted c = request.completed();
        BinaryWriter w = new BinaryWriter().int8(VERSION);
        StateCodec.names(w, c.names());
        return w.int64(c.granularity().bytes()).int64(c.size()).bool(c.enabled()).bool(c.persistent())
                .int64(c.count()).string(c.sha256()).int64(c.chunks()).toByteArray();
    }

    @Override
    public ClaimRequest deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        BinaryReader r = new BinaryReader(bytes);
        int version = r.int8();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown claim record version " + version);
        }
        return new ClaimRequest(new LoadEvent.BitmapCompleted(StateCodec.names(r), Granularity.of(r.int64()),
                r.int64(), r.bool(), r.bool(), r.int64(), r.string(), r.int64()));
    }

    @Override
    public Serializer<ClaimRequest> serializer() {
        return this;
    }

    @Override
    public Deserializer<ClaimRequest> deserializer() {
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
