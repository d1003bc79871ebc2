package org.dbmstream.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One dirty-bitmap chunk exactly as on QEMU's wire: enough to write it back byte for byte. Names are
 * null when the chunk did not carry them (they repeat the previous chunk's; {@link ChunkNames}
 * resolves them). Fields that the chunk kind does not carry are 0 / null.
 *
 * @param flags       the whole flags value as sent, EXTRA_FLAGS markers included (see {@link ChunkFlags})
 * @param flagsWidth  1, 2 or 4 bytes
 * @param nodeAlias   DEVICE_NAME string, or null when absent
 * @param bitmapAlias BITMAP_NAME string, or null when absent
 * @param granularity START: the be32 granularity as sent (not yet validated)
 * @param bitmapFlags START: the bitmap-flags byte as sent, reserved bits included (the destination judges them)
 * @param firstSector BITS: the be64 first sector as sent
 * @param sectors     BITS: the be32 number of sectors
 * @param buffer      BITS without ZEROES: the buffer (its length is the be64 size field); otherwise null
 */
public record WireChunk(long flags, int flagsWidth, String nodeAlias, String bitmapAlias, long granularity,
        int bitmapFlags, long firstSector, long sectors, byte[] buffer) {

    /** The kind of chunk, from the flags. */
    public enum Kind { START, BITS, COMPLETE, EOS }

    public WireChunk {
        if (!ChunkFlags.markersMatch(flags, flagsWidth)) {
            throw new IllegalArgumentException("flags 0x" + Long.toHexString(flags) + " do not fit a "
                    + flagsWidth + "-byte flags field");
        }
        if (ChunkFlags.unknownBits(flags, flagsWidth) != 0) {
            throw new IllegalArgumentException("unknown flags 0x" + Long.toHexString(flags));
        }
        int low = (int) (flags & 0xff);
        String bad = ChunkFlags.invalidCombination(low);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        checkName("node alias", nodeAlias, (low & ChunkFlags.DEVICE_NAME) != 0);
        checkName("bitmap alias", bitmapAlias, (low & ChunkFlags.BITMAP_NAME) != 0);
        boolean start = (low & ChunkFlags.START) != 0;
        boolean bits = (low & ChunkFlags.BITS) != 0;
        boolean zeroes = (low & ChunkFlags.ZEROES) != 0;
        if (!start && (granularity != 0 || bitmapFlags != 0)) {
            throw new IllegalArgumentException("granularity and bitmap flags belong to START chunks");
        }
        if (granularity < 0 || granularity > 0xffff_ffffL || bitmapFlags < 0 || bitmapFlags > 0xff) {
            throw new IllegalArgumentException("granularity is be32 and bitmap flags one byte");
        }
        if (!bits && (firstSector != 0 || sectors != 0 || buffer != null)) {
            throw new IllegalArgumentException("sector range and buffer belong to BITS chunks");
        }
        if (sectors < 0 || sectors > 0xffff_ffffL) {
            throw new IllegalArgumentException("number of sectors is be32: " + sectors);
        }
        if (bits && zeroes == (buffer != null)) {
            throw new IllegalArgumentException(zeroes ? "a ZEROES chunk has no buffer" : "a BITS chunk needs a buffer");
        }
    }

    private static void checkName(String what, String name, boolean flagged) {
        if (flagged != (name != null)) {
            throw new IllegalArgumentException(what + (flagged ? " flagged but missing" : " present but not flagged"));
        }
        if (name != null && name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException(what + " is longer than 255 bytes: " + name);
        }
    }

    /** The defined flag bits (low byte, markers removed). */
    public int lowFlags() {
        return (int) (flags & ChunkFlags.KNOWN);
    }

    public Kind kind() {
        int low = lowFlags();
        if ((low & ChunkFlags.START) != 0) {
            return Kind.START;
        }
        if ((low & ChunkFlags.BITS) != 0) {
            return Kind.BITS;
        }
        return (low & ChunkFlags.COMPLETE) != 0 ? Kind.COMPLETE : Kind.EOS;
    }

    /** BITS with the ZEROES flag: an all-zero range, no buffer. */
    public boolean zeroes() {
        return (lowFlags() & ChunkFlags.ZEROES) != 0;
    }

    /** Bytes this chunk takes on the wire. */
    public int encodedLength() {
        int n = flagsWidth;
        n += nodeAlias == null ? 0 : 1 + nodeAlias.getBytes(StandardCharsets.UTF_8).length;
        n += bitmapAlias == null ? 0 : 1 + bitmapAlias.getBytes(StandardCharsets.UTF_8).length;
        return switch (kind()) {
            case START -> n + 5;
            case BITS -> n + 12 + (buffer == null ? 0 : 8 + buffer.length);
            default -> n;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireChunk w && w.flags == flags && w.flagsWidth == flagsWidth
                && Objects.equals(w.nodeAlias, nodeAlias) && Objects.equals(w.bitmapAlias, bitmapAlias)
                && w.granularity == granularity && w.bitmapFlags == bitmapFlags && w.firstSector == firstSector
                && w.sectors == sectors && Arrays.equals(w.buffer, buffer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(flags, flagsWidth, nodeAlias, bitmapAlias, granularity, bitmapFlags, firstSector,
                sectors) * 31 + Arrays.hashCode(buffer);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("WireChunk[flags=0x").append(Long.toHexString(flags)).append(" (")
                .append(ChunkFlags.describe(flags)).append(')');
        if (nodeAlias != null) {
            s.append(" dev='").append(nodeAlias).append('\'');
        }
        if (bitmapAlias != null) {
            s.append(" bm='").append(bitmapAlias).append('\'');
        }
        switch (kind()) {
            case START -> s.append(" gran=").append(granularity).append(" bflags=0x")
                    .append(Integer.toHexString(bitmapFlags));
            case BITS -> s.append(" start_sector=").append(firstSector).append(" nr_sectors=").append(sectors)
                    .append(buffer == null ? "" : " buf_size=" + buffer.length);
            default -> { }
        }
        return s.append(']').toString();
    }
}
