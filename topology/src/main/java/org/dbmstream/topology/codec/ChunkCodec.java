package org.dbmstream.topology.codec;

import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;

/** Binary form of a domain {@link Chunk} (a chunk parked until its migration's spec arrives). */
public final class ChunkCodec {
    private static final int START = 1;
    private static final int BITS = 2;
    private static final int COMPLETE = 3;
    private static final int EOS = 4;
    private static final int SWITCHOVER = 5;

    private ChunkCodec() {
    }

    public static byte[] encode(Chunk chunk) {
        BinaryWriter w = new BinaryWriter();
        if (chunk instanceof Chunk.Start s) {
            w.int8(START).string(s.nodeAlias()).string(s.bitmapAlias()).int64(s.granularity().bytes())
                    .int8(s.flags()).int64(s.diskSize());
            // trailing (parked chunks written before versions end here): read time, then the version record
            w.int64(s.readTime());
            Chunk.Version v = s.version();
            w.bool(v != null);
            if (v != null) {
                w.nullableString(v.base()).nullableString(v.sha256()).int64(v.count()).bool(v.remove());
            }
        } else if (chunk instanceof Chunk.Bits b) {
            w.int8(BITS).string(b.nodeAlias()).string(b.bitmapAlias()).int64(b.firstSector()).int64(b.sectors())
                    .bytes(b.payload());
        } else if (chunk instanceof Chunk.Complete c) {
            w.int8(COMPLETE).string(c.nodeAlias()).string(c.bitmapAlias());
        } else if (chunk instanceof Chunk.Switchover) {
            w.int8(SWITCHOVER);
        } else {
            w.int8(EOS);
            StateCodec.refs(w, ((Chunk.EndOfStream) chunk).manifest());
        }
        return w.toByteArray();
    }

    private static Chunk.Start start(BinaryReader r) {
        Chunk.Start s = new Chunk.Start(r.string(), r.string(), Granularity.of(r.int64()), r.int8(), r.int64());
        if (!r.hasMore()) {
            return s;
        }
        long readTime = r.int64();
        Chunk.Version v = r.bool() ? new Chunk.Version(r.nullableString(), r.nullableString(), r.int64(), r.bool())
                : null;
        return new Chunk.Start(s.nodeAlias(), s.bitmapAlias(), s.granularity(), s.flags(), s.diskSize(), readTime, v);
    }

    public static Chunk decode(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        int type = r.int8();
        switch (type) {
            case START:
                return start(r);
            case BITS:
                return new Chunk.Bits(r.string(), r.string(), r.int64(), r.int64(), r.bytes());
            case COMPLETE:
                return new Chunk.Complete(r.string(), r.string());
            case EOS:
                return new Chunk.EndOfStream(StateCodec.refs(r));
            case SWITCHOVER:
                return new Chunk.Switchover();
            default:
                throw new IllegalArgumentException("unknown chunk type " + type);
        }
    }
}
