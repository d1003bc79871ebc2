package org.dbmstream.topology.codec;

import org.dbmstream.bitmap.load.MigrationFact;

/** Binary form of {@link MigrationFact}s (version byte, type byte, fields). */
public final class FactCodec {
    private static final int VERSION = 1;
    private static final int MANIFEST = 1;
    private static final int DONE = 2;
    private static final int STOPPED = 3;
    private static final int SETTLED = 4;

    private FactCodec() {
    }

    public static byte[] encode(MigrationFact fact) {
        BinaryWriter w = new BinaryWriter().int8(VERSION);
        if (fact instanceof MigrationFact.Manifest m) {
            w.int8(MANIFEST).string(m.migration()).string(m.target());
            StateCodec.refs(w, m.bitmaps());
        } else if (fact instanceof MigrationFact.BitmapDone d) {
            w.int8(DONE);
            StateCodec.names(w, d.names());
            // trailing, so that a record without it (written before deltas) still reads: the owner of a delta
            w.nullableString(d.owner());
        } else if (fact instanceof MigrationFact.BitmapSettled settled) {
            w.int8(SETTLED);
            StateCodec.names(w, settled.names());
            w.string(settled.note());
        } else {
            MigrationFact.Stopped s = (MigrationFact.Stopped) fact;
            w.int8(STOPPED).string(s.migration()).string(s.target());
            StateCodec.loadError(w, s.error());
        }
        return w.toByteArray();
    }

    public static MigrationFact decode(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        int version = r.int8();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown fact record version " + version);
        }
        int type = r.int8();
        switch (type) {
            case MANIFEST:
                return new MigrationFact.Manifest(r.string(), r.string(), StateCodec.refs(r));
            case DONE:
                return new MigrationFact.BitmapDone(StateCodec.names(r), r.hasMore() ? r.nullableString() : null);
            case SETTLED:
                return new MigrationFact.BitmapSettled(StateCodec.names(r), r.string());
            case STOPPED:
                return new MigrationFact.Stopped(r.string(), r.string(), StateCodec.loadError(r));
            default:
                throw new IllegalArgumentException("unknown fact type " + type);
        }
    }
}
