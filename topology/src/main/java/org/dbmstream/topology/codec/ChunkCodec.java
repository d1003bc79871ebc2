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

    public static Chunk decode(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        int type = r.int8();
        switch (type) {
            case START:
                return new Chunk.Start(r.string(), r.string(), Granularity.of(r.int64()), r.int8(), r.int64());
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
