package org.dbmstream.codec.savevm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.QemuConstants;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkNames;

/**
 * Rebuilds the bitmaps a migration stream carries, for inspection: START creates a bitmap, BITS and
 * ZEROES fill ranges in order, COMPLETE marks it complete. This is deliberately not the destination
 * (no alias mapping, successors, cancel rules or QEMU error messages: that is
 * {@code org.dbmstream.bitmap.load}); a chunk that makes no sense here (BITS before START, a second
 * START) is reported as {@link IllegalStateException}.
 *
 * <p>The disk size is not in the stream. Unless given, it is inferred per node from the end of the
 * furthest BITS chunk ({@code (first sector + sectors) * 512}): QEMU's last chunk of a bitmap ends at
 * the disk's end. So BITS are held until {@link #build()}.
 *
 * <p>The stream's numbers decide how much memory a bitmap takes, so a damaged stream could ask for
 * any amount: bitmaps needing more than {@link #DEFAULT_MAX_BITMAP_BYTES} together (256 MiB, a 1 TiB
 * disk at 512-byte granularity) are refused before they are allocated.
 */
public final class StreamBitmapBuilder {
    /** Most bytes of memory the bitmaps of one stream may take together unless told otherwise. */
    public static final long DEFAULT_MAX_BITMAP_BYTES = 256L << 20;

    private final long diskSize;
    private final long maxBitmapBytes;
    private final Map<String, Entry> bitmaps = new LinkedHashMap<>();
    private final Map<String, Long> nodeEnd = new HashMap<>();
    /** Offset of the chunk that set {@link #nodeEnd}, for errors. */
    private final Map<String, Long> nodeEndAt = new HashMap<>();

    /** Infers each node's disk size from its BITS chunks. */
    public StreamBitmapBuilder() {
        this(-1);
    }

    /** Uses {@code diskSize} bytes for every bitmap ({@code -1}: infer). */
    public StreamBitmapBuilder(long diskSize) {
        this(diskSize, DEFAULT_MAX_BITMAP_BYTES);
    }

    /** Uses {@code diskSize} bytes ({@code -1}: infer); refuses bitmaps over {@code maxBitmapBytes} together. */
    public StreamBitmapBuilder(long diskSize, long maxBitmapBytes) {
        this.diskSize = diskSize;
        this.maxBitmapBytes = maxBitmapBytes;
    }

    /** Builds the bitmaps of the stream file {@code file} (gzip or plain). */
    public static List<StreamBitmap> fromStream(Path file) throws IOException {
        try (SavevmReader reader = SavevmReader.open(file)) {
            return fromStream(reader, DEFAULT_MAX_BITMAP_BYTES);
        }
    }

    /**
     * Builds the bitmaps of the rest of {@code reader}'s stream, together at most {@code maxBitmapBytes}
     * in memory. A chunk that makes no sense here is a {@link SavevmFormatException} at its offset.
     */
    public static List<StreamBitmap> fromStream(SavevmReader reader, long maxBitmapBytes) throws IOException {
        StreamBitmapBuilder builder = new StreamBitmapBuilder(-1, maxBitmapBytes);
        ChunkNames names = new ChunkNames();
        for (SavevmChunk c = reader.next(); c != null; c = reader.next()) {
            try {
                builder.accept(names.resolve(c.wire(), c.offset()), c.offset());
            } catch (IllegalStateException e) {
                throw new SavevmFormatException("dirty-bitmap chunk: " + e.getMessage(), c.offset(), e);
            }
        }
        try {
            return builder.build();
        } catch (RefusedChunk e) {
            throw new SavevmFormatException(e.reason, Math.max(e.offset, 0), e);
        }
    }

    /** Applies one chunk. */
    public void accept(Chunk chunk) {
        accept(chunk, -1);
    }

    /** Applies one chunk read at {@code offset} of the stream, which errors about it name. */
    void accept(Chunk chunk, long offset) {
        if (chunk instanceof Chunk.Start s) {
            String key = key(s.nodeAlias(), s.bitmapAlias());
            if (bitmaps.containsKey(key)) {
                throw new IllegalStateException("second START for bitmap " + key);
            }
            bitmaps.put(key, new Entry(s));
        } else if (chunk instanceof Chunk.Bits b) {
            Entry e = entry(b.nodeAlias(), b.bitmapAlias(), "BITS");
            long end = (b.firstSector() + b.sectors()) << QemuConstants.SECTOR_BITS;
            e.bits.add(b);
            e.offsets.add(offset);
            if (end > nodeEnd.getOrDefault(b.nodeAlias(), 0L)) {
                nodeEnd.put(b.nodeAlias(), end);
                nodeEndAt.put(b.nodeAlias(), offset);
            }
        } else if (chunk instanceof Chunk.Complete c) {
            entry(c.nodeAlias(), c.bitmapAlias(), "COMPLETE").complete = true;
        }
    }

    /** The bitmaps in START order. */
    public List<StreamBitmap> build() {
        checkMemory();
        List<StreamBitmap> out = new ArrayList<>();
        for (Entry e : bitmaps.values()) {
            Chunk.Start s = e.start;
            long size = diskSize >= 0 ? diskSize : nodeEnd.getOrDefault(s.nodeAlias(), 0L);
            DirtyBitmap bitmap = new DirtyBitmap(size, s.granularity());
            for (int i = 0; i < e.bits.size(); i++) {
                apply(bitmap, e.bits.get(i), e.offsets.get(i));
            }
            out.add(new StreamBitmap(s.nodeAlias(), s.bitmapAlias(), s.granularity().bytes(), size, s.enabled(),
                    s.persistent(), e.complete, bitmap.count(), bitmap.sha256(), bitmap));
        }
        return out;
    }

    private static void apply(DirtyBitmap bitmap, Chunk.Bits b, long offset) {
        if (b.sectors() == 0) {
            return;
        }
        int shift = bitmap.granularity().shift();
        long firstByte = b.firstSector() << QemuConstants.SECTOR_BITS;
        long lastByte = firstByte + (b.sectors() << QemuConstants.SECTOR_BITS) - 1;
        long firstBit = firstByte >>> shift;
        long bits = (lastByte >>> shift) - firstBit + 1;
        try {
            if (b.zeroes()) {
                bitmap.setRange(firstBit, bits, false);
            } else {
                bitmap.deserialize(firstBit, bits, b.payload());
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new RefusedChunk("cannot apply " + b + " to a bitmap of " + bitmap.bitCount() + " bits: "
                    + e.getMessage(), offset, e);
        }
    }

    /** Refuses bitmaps whose bits would not fit {@code maxBitmapBytes} together, before allocating them. */
    private void checkMemory() {
        long total = 0;
        for (Entry e : bitmaps.values()) {
            String node = e.start.nodeAlias();
            long size = diskSize >= 0 ? diskSize : nodeEnd.getOrDefault(node, 0L);
            total += (e.start.granularity().bitsFor(size) + 63) / 64 * 8;
            if (total > maxBitmapBytes) {
                throw new RefusedChunk("bitmap " + key(node, e.start.bitmapAlias()) + " covers a disk of " + size
                        + " bytes at granularity " + e.start.granularity().bytes() + ": the stream's bitmaps would take "
                        + "more than the " + maxBitmapBytes + " bytes of memory allowed",
                        diskSize >= 0 ? -1 : nodeEndAt.getOrDefault(node, -1L), null);
            }
        }
    }

    private Entry entry(String node, String bitmap, String what) {
        Entry e = bitmaps.get(key(node, bitmap));
        if (e == null) {
            throw new IllegalStateException(what + " for bitmap " + key(node, bitmap) + " that was never started");
        }
        return e;
    }

    private static String key(String node, String bitmap) {
        return node + "/" + bitmap;
    }

    private static final class Entry {
        final Chunk.Start start;
        final List<Chunk.Bits> bits = new ArrayList<>();
        final List<Long> offsets = new ArrayList<>();
        boolean complete;

        Entry(Chunk.Start start) {
            this.start = start;
        }
    }

    /** A BITS chunk that does not fit its bitmap, found only once the disk size is known. */
    private static final class RefusedChunk extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final String reason;
        private final long offset;

        RefusedChunk(String reason, long offset, Throwable cause) {
            super(reason + (offset >= 0 ? " (chunk at offset 0x" + Long.toHexString(offset) + ")" : ""), cause);
            this.reason = reason;
            this.offset = offset;
        }
    }
}
