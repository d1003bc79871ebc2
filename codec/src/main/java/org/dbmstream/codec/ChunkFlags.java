package org.dbmstream.codec;

import java.util.StringJoiner;

/**
 * Chunk flag bits of QEMU's dirty-bitmap migration and the rules for their 1-, 2- or 4-byte wire
 * form. A flags value here is the whole value as sent, EXTRA_FLAGS markers included: 2 bytes
 * {@code b0 b1} give {@code b0 << 8 | b1}, 4 bytes give {@code b0 << 24 | b1 << 16 | be16}.
 *
 * <p>QEMU's reader accumulates these into a {@code uint8_t}, so it acts only on the last byte. Every
 * defined flag lives in that low byte, so for a valid chunk both readings agree; any bit above it
 * (other than the markers) is refused here as unknown rather than silently dropped.
 */
public final class ChunkFlags {
    public static final int EOS = 0x01;
    public static final int ZEROES = 0x02;
    public static final int BITMAP_NAME = 0x04;
    public static final int DEVICE_NAME = 0x08;
    public static final int START = 0x10;
    public static final int COMPLETE = 0x20;
    public static final int BITS = 0x40;
    /** In the first (and second) byte: another flags byte (another be16) follows. */
    public static final int EXTRA_FLAGS = 0x80;

    /** Every defined flag; all of them live in the low byte. */
    public static final int KNOWN = EOS | ZEROES | BITMAP_NAME | DEVICE_NAME | START | COMPLETE | BITS;
    static final int KINDS = START | COMPLETE | BITS;

    private static final String[] NAMES = {"EOS", "ZEROES", "BITMAP_NAME", "DEVICE_NAME", "START", "COMPLETE",
        "BITS"};

    private ChunkFlags() {
    }

    /** The bits that are neither defined flags nor the EXTRA_FLAGS markers of this width. */
    public static long unknownBits(long flags, int width) {
        long markers = switch (width) {
            case 1 -> 0;
            case 2 -> 0x8000L;
            case 4 -> 0x8080_0000L;
            default -> throw new IllegalArgumentException("flags are 1, 2 or 4 bytes, not " + width);
        };
        return flags & ~(markers | KNOWN);
    }

    /** True when {@code flags} has exactly the EXTRA_FLAGS markers a {@code width}-byte form needs. */
    public static boolean markersMatch(long flags, int width) {
        return switch (width) {
            case 1 -> flags >= 0 && flags <= 0xff && (flags & EXTRA_FLAGS) == 0;
            case 2 -> flags >= 0 && flags <= 0xffff && (flags & 0x8000) != 0 && (flags & 0x80) == 0;
            case 4 -> flags >= 0 && flags <= 0xffff_ffffL && (flags & 0x8000_0000L) != 0
                    && (flags & 0x0080_0000L) != 0;
            default -> false;
        };
    }

    /** Why this combination is not a chunk, or null when it is one. */
    static String invalidCombination(int low) {
        int kinds = low & KINDS;
        if (Integer.bitCount(kinds) > 1) {
            return "flags name more than one chunk kind: " + describe(low);
        }
        if (kinds != 0 && (low & EOS) != 0) {
            return "EOS combined with a chunk kind: " + describe(low);
        }
        if (kinds == 0 && (low & EOS) == 0) {
            return "flags name no chunk kind: " + describe(low);
        }
        if ((low & ZEROES) != 0 && (low & BITS) == 0) {
            return "ZEROES without BITS: " + describe(low);
        }
        return null;
    }

    /** {@code ZEROES|BITMAP_NAME|BITS} style, as QEMU's trace and our golden files print flags. */
    public static String describe(long flags) {
        StringJoiner j = new StringJoiner("|");
        for (int i = 0; i < NAMES.length; i++) {
            if ((flags & (1L << i)) != 0) {
                j.add(NAMES[i]);
            }
        }
        return j.toString();
    }
}
