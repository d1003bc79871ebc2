package org.dbmstream.query;

/**
 * Turns a bitmap's stored ranges into dirty extents in byte units (the shape oVirt imageio serves and
 * QEMU's {@code qemu:dirty-bitmap} NBD context describes): contiguous runs covering a window
 * {@code [start, end)} of the disk, adjacent runs of the same kind merged, clipped to the window. Feed
 * ranges in ascending bit order with {@link #range}, then call {@link #finish}; memory stays constant
 * whatever the bitmap's size, and set or clear 64-bit words are taken whole.
 */
final class DirtyExtents {
    /** Receives each merged extent, in order. */
    @FunctionalInterface
    interface Sink {
        void extent(long start, long length, boolean dirty);
    }

    private final long granularity;
    private final long start;
    private final long end;
    private final long firstBit;
    private final long endBit;
    private final Sink sink;
    private long cursorBit;
    private long runStart;
    private boolean runDirty;
    private boolean open;

    /** Extents of {@code [start, end)} (already clipped to the disk) of a bitmap of {@code granularity}. */
    DirtyExtents(long granularity, long start, long end, Sink sink) {
        this.granularity = granularity;
        this.start = start;
        this.end = end;
        this.firstBit = start / granularity;
        this.endBit = end <= start ? firstBit : (end - 1) / granularity + 1;
        this.sink = sink;
        this.cursorBit = firstBit;
    }

    /** The serialized bytes of the bitmap from bit {@code rangeFirstBit} (a multiple of 8) on. */
    void range(long rangeFirstBit, byte[] bytes) {
        long rangeEnd = rangeFirstBit + bytes.length * 8L;
        if (rangeEnd <= cursorBit || rangeFirstBit >= endBit) {
            return;
        }
        bits(cursorBit, rangeFirstBit, false);
        BitWords.forEach(rangeFirstBit, bytes, cursorBit, endBit, this::word);
    }

    /** Ends the window: what no range covered is clean. */
    void finish() {
        bits(cursorBit, endBit, false);
        if (open) {
            sink.extent(runStart, end - runStart, runDirty);
        } else if (end > start) {
            sink.extent(start, end - start, false);
        }
    }

    private void word(long base, long w, int width) {
        int pos = 0;
        while (pos < width) {
            long shifted = w >>> pos;
            boolean dirty = (shifted & 1) != 0;
            int len = dirty ? Long.numberOfTrailingZeros(~shifted) : Long.numberOfTrailingZeros(shifted);
            len = Math.min(len, width - pos);
            bits(base + pos, base + pos + len, dirty);
            pos += len;
        }
    }

    /** Bits {@code [from, to)} (clipped to the window) are all {@code dirty}. */
    private void bits(long from, long to, boolean dirty) {
        long a = Math.max(from, cursorBit);
        long b = Math.min(to, endBit);
        if (a >= b) {
            return;
        }
        long byteStart = Math.max(start, a * granularity);
        if (!open) {
            open = true;
            runStart = byteStart;
            runDirty = dirty;
        } else if (dirty != runDirty) {
            sink.extent(runStart, byteStart - runStart, runDirty);
            runStart = byteStart;
            runDirty = dirty;
        }
        cursorBit = b;
    }
}
