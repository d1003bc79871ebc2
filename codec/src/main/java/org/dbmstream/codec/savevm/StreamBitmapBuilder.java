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
 */
public final class StreamBitmapBuilder {
    private final long diskSize;
    private final Map<String, Entry> bitmaps = new LinkedHashMap<>();
    private final Map<String, Long> nodeEnd = new HashMap<>();

    /** Infers each node's disk size from its BITS chunks. */
    public StreamBitmapBuilder() {
        this(-1);
    }

    /** Uses {@code diskSize} bytes for every bitmap ({@code -1}: infer). */
    public StreamBitmapBuilder(long diskSize) {
        this.diskSize = diskSize;
    }

    /** Builds the bitmaps of the stream file {@code file} (gzip or plain). */
    public static List<StreamBitmap> fromStream(Path file) throws IOException {
        StreamBitmapBuilder builder = new StreamBitmapBuilder();
        ChunkNames names = new ChunkNames();
        try (SavevmReader reader = SavevmReader.open(file)) {
            for (SavevmChunk c = reader.next(); c != null; c = reader.next()) {
                builder.accept(names.resolve(c.wire(), c.offset()));
            }
        }
        return builder.build();
    }

    /** Applies one chunk. */
    public void accept(Chunk chunk) {
        if (chunk instanceof Chunk.Start s) {
            String key = key(s.nodeAlias(), s.bitmapAlias());
            if (bitmaps.containsKey(key)) {
                throw new IllegalStateException("second START for bitmap " + key);
            }
            bitmaps.put(key, new Entry(s));
        } else if (chunk instanceof Chunk.Bits b) {
            entry(b.nodeAlias(), b.bitmapAlias(), "BITS").bits.add(b);
            long end = (b.firstSector() + b.sectors()) << QemuConstants.SECTOR_BITS;
            nodeEnd.merge(b.nodeAlias(), end, Math::max);
        } else if (chunk instanceof Chunk.Complete c) {
            entry(c.nodeAlias(), c.bitmapAlias(), "COMPLETE").complete = true;
        }
    }

    /** The bitmaps in START order. */
    public List<StreamBitmap> build() {
        List<StreamBitmap> out = new ArrayList<>();
        for (Entry e : bitmaps.values()) {
            Chunk.Start s = e.start;
            long size = diskSize >= 0 ? diskSize : nodeEnd.getOrDefault(s.nodeAlias(), 0L);
            DirtyBitmap bitmap = new DirtyBitmap(size, s.granularity());
            for (Chunk.Bits b : e.bits) {
                apply(bitmap, b);
            }
            out.add(new StreamBitmap(s.nodeAlias(), s.bitmapAlias(), s.granularity().bytes(), size, s.enabled(),
                    s.persistent(), e.complete, bitmap.count(), bitmap.sha256(), bitmap));
        }
        return out;
    }

    private static void apply(DirtyBitmap bitmap, Chunk.Bits b) {
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
            throw new IllegalStateException("cannot apply " + b + " to a bitmap of " + bitmap.bitCount() + " bits: "
                    + e.getMessage(), e);
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
        boolean complete;

        Entry(Chunk.Start start) {
            this.start = start;
        }
    }
}
