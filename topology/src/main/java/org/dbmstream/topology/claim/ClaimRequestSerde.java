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
    private static final int VERSION_1 = 1;
    /** Version 2 adds the kind: a claim, a replacing claim (re-replication) or a release (DELETE). */
    private static final int VERSION_2 = 2;
    /** Version 3 adds to a claim the version it made (a delta's base and owner, freshness). */
    private static final int VERSION = 3;
    private static final int CLAIM = 0;
    private static final int REPLACE = 1;
    private static final int RELEASE = 2;
    private static final int UPDATE = 3;

    @Override
    public byte[] serialize(String topic, ClaimRequest request) {
        if (request == null) {
            return null;
        }
        BinaryWriter w = new BinaryWriter().int8(VERSION);
        if (request.isUpdate()) {
            LoadEvent.BitmapUpdated u = request.update();
            w.int8(UPDATE);
            StateCodec.names(w, u.names());
            return w.bool(u.enabled()).bool(u.recording()).int64(u.count()).string(u.sha256()).toByteArray();
        }
        if (request.isRelease()) {
            w.int8(RELEASE);
            StateCodec.names(w, request.names());
            return w.toByteArray();
        }
        LoadEvent.BitmapCompleted c = request.completed();
        w.int8(request.replace() ? REPLACE : CLAIM);
        StateCodec.names(w, c.names());
        w.int64(c.granularity().bytes()).int64(c.size()).bool(c.enabled()).bool(c.persistent())
                .int64(c.count()).string(c.sha256()).int64(c.chunks());
        LoadEvent.VersionInfo v = c.version();
        return w.nullableString(v.base()).int64(v.changedChunks()).int64(v.versions()).int64(v.readTime())
                .int64(v.bytes()).nullableString(v.owner()).toByteArray();
    }

    @Override
    public ClaimRequest deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        BinaryReader r = new BinaryReader(bytes);
        int version = r.int8();
        if (version != VERSION && version != VERSION_2 && version != VERSION_1) {
            throw new IllegalArgumentException("unknown claim record version " + version);
        }
        int kind = version == VERSION_1 ? CLAIM : r.int8();
        if (kind == UPDATE) {
            return ClaimRequest.update(new LoadEvent.BitmapUpdated(StateCodec.names(r), r.bool(), r.bool(), r.int64(),
                    r.string()));
        }
        if (kind == RELEASE) {
            return ClaimRequest.release(StateCodec.names(r));
        }
        var names = StateCodec.names(r);
        Granularity g = Granularity.of(r.int64());
        long size = r.int64();
        boolean enabled = r.bool();
        boolean persistent = r.bool();
        long count = r.int64();
        String sha256 = r.string();
        long chunks = r.int64();
        LoadEvent.VersionInfo v = version == VERSION ? new LoadEvent.VersionInfo(r.nullableString(), r.int64(),
                r.int64(), r.int64(), r.int64(), r.nullableString()) : LoadEvent.VersionInfo.NONE;
        return ClaimRequest.claim(new LoadEvent.BitmapCompleted(names, g, size, enabled, persistent, count, sha256,
                chunks, v), kind == REPLACE);
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
