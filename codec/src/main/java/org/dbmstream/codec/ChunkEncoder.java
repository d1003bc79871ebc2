package org.dbmstream.codec;

import java.util.Objects;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * Encodes a new chunk sequence the way QEMU's save side does ({@code send_bitmap_header}): a chunk
 * carries DEVICE_NAME only when its node differs from the previous named chunk's, and BITMAP_NAME only
 * when its bitmap (node and alias) differs; flags are one byte; EOS carries no names and does not
 * change the state. Use one instance per migration stream.
 */
public final class ChunkEncoder {
    private String prevNode;
    private String prevBitmap;

    /** The wire form of {@code chunk} after the chunks encoded so far. */
    public WireChunk toWire(Chunk chunk) {
        if (chunk instanceof Chunk.Start s) {
            Names n = names(s.nodeAlias(), s.bitmapAlias(), ChunkFlags.START);
            return new WireChunk(n.flags, 1, n.node, n.bitmap, s.granularity().bytes(), s.flags(), 0, 0, null);
        }
        if (chunk instanceof Chunk.Bits b) {
            int kind = ChunkFlags.BITS | (b.zeroes() ? ChunkFlags.ZEROES : 0);
            Names n = names(b.nodeAlias(), b.bitmapAlias(), kind);
            return new WireChunk(n.flags, 1, n.node, n.bitmap, 0, 0, b.firstSector(), b.sectors(), b.payload());
        }
        if (chunk instanceof Chunk.Complete c) {
            Names n = names(c.nodeAlias(), c.bitmapAlias(), ChunkFlags.COMPLETE);
            return new WireChunk(n.flags, 1, n.node, n.bitmap, 0, 0, 0, 0, null);
        }
        if (chunk instanceof Chunk.Switchover) {
            // QEMU's bitmap section has no such chunk: the savevm stream says it with a RUN command
            throw new IllegalArgumentException("a switchover is not a chunk of QEMU's bitmap wire format");
        }
        return new WireChunk(ChunkFlags.EOS, 1, null, null, 0, 0, 0, 0, null);
    }

    /** {@link #toWire} followed by {@link ChunkCodec#toBytes}. */
    public byte[] encode(Chunk chunk) {
        return ChunkCodec.toBytes(toWire(chunk));
    }

    private Names names(String node, String bitmap, int flags) {
        String sendNode = null;
        String sendBitmap = null;
        boolean nodeChanged = !node.equals(prevNode);
        if (nodeChanged) {
            sendNode = node;
            flags |= ChunkFlags.DEVICE_NAME;
        }
        // QEMU compares bitmap objects: one on another node is another bitmap even with the same name.
        if (nodeChanged || !Objects.equals(bitmap, prevBitmap)) {
            sendBitmap = bitmap;
            flags |= ChunkFlags.BITMAP_NAME;
        }
        prevNode = node;
        prevBitmap = bitmap;
        return new Names(flags, sendNode, sendBitmap);
    }

    private record Names(int flags, String node, String bitmap) {
    }
}
