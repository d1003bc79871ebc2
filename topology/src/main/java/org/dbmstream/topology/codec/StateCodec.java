package org.dbmstream.topology.codec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.BitmapPhase;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.bitmap.load.ReplicaVersion;
import org.dbmstream.bitmap.load.Consequence;
import org.dbmstream.bitmap.load.LoadError;
import org.dbmstream.bitmap.load.MigrationProgress;
import org.dbmstream.bitmap.load.MigrationStatus;

/**
 * Binary form of the load state kept in stores and sent between sub-topologies. Each top-level value
 * starts with a version byte so that a later layout can still read old state.
 */
public final class StateCodec {
    private static final int VERSION = 1;

    private StateCodec() {
    }

    public static byte[] bitmapState(BitmapState s) {
        return bitmapState(new BinaryWriter().int8(VERSION), s).toByteArray();
    }

    /** Marks the version-history block that may follow {@code updated} (layouts without it end there). */
    private static final int REPLICA_BLOCK = 1;

    /**
     * The state and the time the destination wrote it (the query API's {@code updated}), as a trailing
     * field: readers of the layout without it ignore it, and {@link #updated} of a state without it is null.
     */
    public static byte[] bitmapState(BitmapState s, long updatedEpochMillis) {
        return replica(bitmapState(new BinaryWriter().int8(VERSION), s).int64(updatedEpochMillis), s.replica())
                .toByteArray();
    }

    public static BitmapState bitmapState(byte[] bytes) {
        BinaryReader r = reader(bytes);
        BitmapState s = bitmapState(r);
        if (!r.hasMore()) {
            return s;
        }
        r.int64(); // updated
        return r.hasMore() ? s.withReplica(replica(r)) : s;
    }

    /** When the state was written, or null for a state stored without that time (by earlier versions). */
    public static Instant updated(byte[] bytes) {
        BinaryReader r = reader(bytes);
        bitmapState(r);
        return r.hasMore() ? Instant.ofEpochMilli(r.int64()) : null;
    }

    /**
     * The version history, after {@code updated} (DESIGN.md section 12): readers of the layout before it stop
     * at {@code updated}, and a state stored without it has {@link ReplicaVersion#NONE}.
     */
    private static BinaryWriter replica(BinaryWriter w, ReplicaVersion v) {
        w.int8(REPLICA_BLOCK).int64(v.versions()).nullableString(v.madeBy()).int64(v.readTime())
                .int64(v.completedTime()).int64(v.bytes());
        Chunk.Version e = v.expected();
        w.bool(e != null);
        if (e != null) {
            w.nullableString(e.base()).nullableString(e.sha256()).int64(e.count()).bool(e.remove());
        }
        return w;
    }

    private static ReplicaVersion replica(BinaryReader r) {
        int block = r.int8();
        if (block != REPLICA_BLOCK) {
            throw new IllegalArgumentException("unknown bitmap state block " + block);
        }
        long versions = r.int64();
        String madeBy = r.nullableString();
        long readTime = r.int64();
        long completedTime = r.int64();
        long bytes = r.int64();
        Chunk.Version expected = r.bool()
                ? new Chunk.Version(r.nullableString(), r.nullableString(), r.int64(), r.bool()) : null;
        return new ReplicaVersion(versions, madeBy, readTime, completedTime, expected, bytes);
    }

    /**
     * As {@link #bitmapState(BitmapState, long)}, with the state's names already encoded by
     * {@link #encodedNames}: a loading bitmap's state is rewritten by every chunk, its names never change.
     */
    public static byte[] bitmapState(BitmapState s, long updatedEpochMillis, byte[] encodedNames) {
        BinaryWriter w = new BinaryWriter(encodedNames.length + 192).int8(VERSION).raw(encodedNames);
        return replica(fields(w, s).int64(updatedEpochMillis), s.replica()).toByteArray();
    }

    /** The names as {@link #bitmapState} lays them out (no version byte). */
    public static byte[] encodedNames(BitmapNames n) {
        BinaryWriter w = new BinaryWriter();
        names(w, n);
        return w.toByteArray();
    }

    private static BinaryWriter bitmapState(BinaryWriter w, BitmapState s) {
        names(w, s.names());
        return fields(w, s);
    }

    private static BinaryWriter fields(BinaryWriter w, BitmapState s) {
        return w.int64(s.granularity().bytes()).int64(s.size()).bool(s.enabled()).bool(s.persistent())
                .int8(s.phase().ordinal()).bool(s.recording()).bool(s.successor()).int64(s.chunks())
                .int64(s.endBit()).int64(s.count()).nullableString(s.sha256());
    }

    private static BitmapState bitmapState(BinaryReader r) {
        return new BitmapState(names(r), Granularity.of(r.int64()), r.int64(), r.bool(), r.bool(),
                BitmapPhase.values()[r.int8()], r.bool(), r.bool(), r.int64(), r.int64(), r.int64(),
                r.nullableString());
    }

    public static byte[] loadError(LoadError e) {
        BinaryWriter w = new BinaryWriter().int8(VERSION);
        loadError(w, e);
        return w.toByteArray();
    }

    public static LoadError loadError(byte[] bytes) {
        return loadError(reader(bytes));
    }

    public static byte[] progress(MigrationProgress p) {
        return new BinaryWriter().int8(VERSION).string(p.migration()).string(p.target()).int8(p.status().ordinal())
                .nullableString(p.reason()).int32(p.manifestSize()).int32(p.manifestDone()).toByteArray();
    }

    public static MigrationProgress progress(byte[] bytes) {
        BinaryReader r = reader(bytes);
        return new MigrationProgress(r.string(), r.string(), MigrationStatus.values()[r.int8()], r.nullableString(),
                r.int32(), r.int32());
    }

    public static byte[] names(BitmapNames n) {
        BinaryWriter w = new BinaryWriter().int8(VERSION);
        names(w, n);
        return w.toByteArray();
    }

    public static BitmapNames names(byte[] bytes) {
        return names(reader(bytes));
    }

    public static byte[] ref(Chunk.BitmapRef ref) {
        return new BinaryWriter().int8(VERSION).string(ref.nodeAlias()).string(ref.bitmapAlias()).toByteArray();
    }

    public static Chunk.BitmapRef ref(byte[] bytes) {
        BinaryReader r = reader(bytes);
        return new Chunk.BitmapRef(r.string(), r.string());
    }

    public static void names(BinaryWriter w, BitmapNames n) {
        w.string(n.migration()).string(n.target()).string(n.node()).string(n.nodeAlias()).string(n.bitmap())
                .string(n.bitmapAlias());
    }

    public static BitmapNames names(BinaryReader r) {
        return new BitmapNames(r.string(), r.string(), r.string(), r.string(), r.string(), r.string());
    }

    static void loadError(BinaryWriter w, LoadError e) {
        w.int8(e.consequence().ordinal()).string(e.message());
    }

    static LoadError loadError(BinaryReader r) {
        return new LoadError(Consequence.values()[r.int8()], r.string());
    }

    /** A list of bitmap refs; null is written as count -1. */
    static void refs(BinaryWriter w, List<Chunk.BitmapRef> refs) {
        if (refs == null) {
            w.int32(-1);
            return;
        }
        w.int32(refs.size());
        for (Chunk.BitmapRef ref : refs) {
            w.string(ref.nodeAlias()).string(ref.bitmapAlias());
        }
    }

    static List<Chunk.BitmapRef> refs(BinaryReader r) {
        int n = r.int32();
        if (n < 0) {
            return null;
        }
        List<Chunk.BitmapRef> refs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            refs.add(new Chunk.BitmapRef(r.string(), r.string()));
        }
        return refs;
    }

    static BinaryReader reader(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        int version = r.int8();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown state layout version " + version);
        }
        return r;
    }
}
