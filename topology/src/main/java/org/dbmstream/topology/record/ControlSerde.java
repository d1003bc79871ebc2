package org.dbmstream.topology.record;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.Consequence;
import org.dbmstream.bitmap.load.LoadError;
import org.dbmstream.bitmap.load.MigrationControl;
import org.dbmstream.topology.codec.BinaryReader;
import org.dbmstream.topology.codec.BinaryWriter;
import org.dbmstream.topology.codec.StateCodec;

/** Serde of {@link Control} records (the topology's own binary layout, version byte first). */
public final class ControlSerde implements Serde<Control>, Serializer<Control>, Deserializer<Control> {
    private static final int VERSION = 1;
    private static final int SPEC = 1;
    private static final int REMOVED = 2;
    private static final int STOP = 3;
    private static final int TAKEN = 4;
    private static final int REMOVAL = 5;
    private static final int SWITCHOVER = 6;
    private static final int WRITE = 7;
    private static final int REVOKE = 8;
    private static final int BARRIER = 9;

    @Override
    public byte[] serialize(String topic, Control control) {
        if (control == null) {
            return null;
        }
        BinaryWriter w = new BinaryWriter().int8(VERSION);
        if (control instanceof Control.Spec s) {
            SpecRecord spec = s.spec();
            w.int8(SPEC).string(spec.migration()).string(spec.target()).nullableString(spec.mappingJson());
            if (spec.nodes() == null) {
                w.int32(-1);
            } else {
                w.int32(spec.nodes().size());
                spec.nodes().forEach((name, size) -> w.string(name).int64(size));
            }
            w.nullableString(spec.problem());
            w.bool(spec.replace());
        } else if (control instanceof Control.SpecRemoved r) {
            w.int8(REMOVED).string(r.migration());
        } else if (control instanceof Control.BitmapTaken t) {
            names(w.int8(TAKEN), t.names());
        } else if (control instanceof Control.BitmapRemoval removal) {
            names(w.int8(REMOVAL), removal.names());
        } else if (control instanceof Control.Switchover o) {
            w.int8(SWITCHOVER).string(o.migration()).string(o.target());
        } else if (control instanceof Control.Write x) {
            w.int8(WRITE).string(x.migration()).string(x.target()).string(x.node()).int64(x.offset())
                    .int64(x.length());
        } else if (control instanceof Control.Barrier b) {
            w.int8(BARRIER).string(b.migration()).string(b.target()).string(b.barrier());
        } else if (control instanceof Control.Revoke v) {
            w.int8(REVOKE);
            StateCodec.names(w, v.names());
            w.string(v.reason());
        } else {
            MigrationControl c = ((Control.Stop) control).control();
            w.int8(STOP).string(c.migration()).int8(c.error().consequence().ordinal()).string(c.error().message());
        }
        return w.toByteArray();
    }

    @Override
    public Control deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        BinaryReader r = new BinaryReader(bytes);
        int version = r.int8();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown control record version " + version);
        }
        int type = r.int8();
        switch (type) {
            case SPEC: {
                String migration = r.string();
                String target = r.string();
                String mapping = r.nullableString();
                int n = r.int32();
                Map<String, Long> nodes = null;
                if (n >= 0) {
                    nodes = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        nodes.put(r.string(), r.int64());
                    }
                }
                String problem = r.nullableString();
                // specs written before replace existed end here
                return new Control.Spec(new SpecRecord(migration, target, mapping, nodes, problem, r.hasMore() && r.bool()));
            }
            case REMOVED:
                return new Control.SpecRemoved(r.string());
            case STOP: {
                String migration = r.string();
                LoadError error = new LoadError(Consequence.values()[r.int8()], r.string());
                return new Control.Stop(new MigrationControl(migration, error));
            }
            case TAKEN:
                return new Control.BitmapTaken(names(r));
            case REMOVAL:
                return new Control.BitmapRemoval(names(r));
            case SWITCHOVER:
                return new Control.Switchover(r.string(), r.string());
            case WRITE:
                return new Control.Write(r.string(), r.string(), r.string(), r.int64(), r.int64());
            case REVOKE:
                return new Control.Revoke(StateCodec.names(r), r.string());
            case BARRIER:
                return new Control.Barrier(r.string(), r.string(), r.string());
            default:
                throw new IllegalArgumentException("unknown control record type " + type);
        }
    }

    private static void names(BinaryWriter w, BitmapNames n) {
        w.string(n.migration()).string(n.target()).string(n.node()).string(n.nodeAlias()).string(n.bitmap())
                .string(n.bitmapAlias());
    }

    private static BitmapNames names(BinaryReader r) {
        return new BitmapNames(r.string(), r.string(), r.string(), r.string(), r.string(), r.string());
    }

    @Override
    public Serializer<Control> serializer() {
        return this;
    }

    @Override
    public Deserializer<Control> deserializer() {
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
