package org.dbmstream.codec;

import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * Turns wire chunks into domain {@link Chunk}s by filling in the names a chunk left out: a chunk
 * without DEVICE_NAME / BITMAP_NAME means "same as the previous chunk", and that state lives for the
 * whole migration (it crosses stream sections), so use one instance per migration stream.
 *
 * <p>A non-EOS chunk with no node or bitmap alias known yet raises {@link MissingNameException}
 * (QEMU: "Error: block device name is not set"). That is a destination rule (QEMU cancels and goes
 * on reading), so it is a separate exception type and this resolver stays usable after it. Names a
 * chunk carries are remembered even when it is an EOS. One deliberate simplification: when a chunk
 * changes the node but not the bitmap alias, the previous bitmap alias is taken on the new node
 * (QEMU would keep its pointer to the old node's bitmap); QEMU's save side never sends that.
 */
public final class ChunkNames {
    private String node;
    private String bitmap;

    /** The current node alias, or null before any chunk named one. */
    public String node() {
        return node;
    }

    /** The current bitmap alias, or null before any chunk named one. */
    public String bitmap() {
        return bitmap;
    }

    /**
     * Resolves {@code wire}, decoded at {@code offset}, against the names seen so far, and remembers
     * the names it carries.
     */
    public Chunk resolve(WireChunk wire, long offset) throws ChunkFormatException {
        if (wire.nodeAlias() != null) {
            node = wire.nodeAlias();
        }
        if (wire.bitmapAlias() != null) {
            bitmap = wire.bitmapAlias();
        }
        if (wire.kind() == WireChunk.Kind.EOS) {
            return Chunk.EndOfStream.empty();
        }
        if (node == null || bitmap == null) {
            throw new MissingNameException(offset);
        }
        return switch (wire.kind()) {
            case START -> new Chunk.Start(node, bitmap, granularity(wire, offset), wire.bitmapFlags(), -1);
            case BITS -> bits(wire, offset);
            default -> new Chunk.Complete(node, bitmap);
        };
    }

    private static Granularity granularity(WireChunk wire, long offset) throws ChunkFormatException {
        long g = wire.granularity();
        if (g < Granularity.MIN || g > Granularity.MAX || Long.bitCount(g) != 1) {
            throw new ChunkFormatException("START granularity " + g + " is not a power of two from 512 B to 2 GiB",
                    offset, offset);
        }
        return Granularity.of(g);
    }

    private Chunk.Bits bits(WireChunk wire, long offset) throws ChunkFormatException {
        // QEMU shifts the first sector left by 9 into a byte offset; beyond 2^54 that wraps.
        if (wire.firstSector() < 0 || wire.firstSector() > (Long.MAX_VALUE >>> 9) - wire.sectors()) {
            throw new ChunkFormatException("BITS first sector " + Long.toUnsignedString(wire.firstSector())
                    + " is beyond any disk", offset, offset);
        }
        return new Chunk.Bits(node, bitmap, wire.firstSector(), wire.sectors(), wire.buffer());
    }
}
