package org.dbmstream.query;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Walks a stored range of a bitmap's serialized bytes 64 bits at a time (the extents and their buckets read it so). */
final class BitWords {
    /** Receives {@code width} bits (64 but for a range's short tail) starting at bit {@code base}. */
    @FunctionalInterface
    interface Visitor {
        void word(long base, long bits, int width);
    }

    private BitWords() {
    }

    /**
     * Visits the words of {@code bytes} (the bitmap from bit {@code rangeFirstBit}, a multiple of 8) that hold bits of
     * {@code [fromBit, endBit)}; words before {@code fromBit}'s are skipped whole, so a visitor clips their edges.
     */
    static void forEach(long rangeFirstBit, byte[] bytes, long fromBit, long endBit, Visitor visitor) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        // LSB-first bytes read little-endian: bit i of the word is bit i of the run
        int skipBytes = (int) (Math.max(0, fromBit - rangeFirstBit) / 64) * 8;
        for (int offset = skipBytes; offset < bytes.length && rangeFirstBit + offset * 8L < endBit; offset += 8) {
            long base = rangeFirstBit + offset * 8L;
            if (bytes.length - offset >= 8) {
                visitor.word(base, in.getLong(offset), 64);
            } else {
                long w = 0;
                for (int i = 0; i < bytes.length - offset; i++) {
                    w |= (bytes[offset + i] & 0xffL) << (8 * i);
                }
                visitor.word(base, w, (bytes.length - offset) * 8);
            }
        }
    }
}
