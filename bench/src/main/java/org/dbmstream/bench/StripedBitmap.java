package org.dbmstream.bench;

import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;

/**
 * A bitmap whose every 1 KiB of serialized bytes is half set, half clear: two extents per chunk, a
 * known number of extents for any size, computed from the position (nothing held in memory).
 */
final class StripedBitmap implements SerializedBitmap {
    private final long diskSize;
    private final Granularity granularity;

    StripedBitmap(long diskSize, Granularity granularity) {
        this.diskSize = diskSize;
        this.granularity = granularity;
    }

    @Override
    public long diskSize() {
        return diskSize;
    }

    @Override
    public Granularity granularity() {
        return granularity;
    }

    @Override
    public void serializeInto(long firstBit, long bits, byte[] dst, int offset) {
        int size = (int) org.dbmstream.bitmap.DirtyBitmap.serializationSize(firstBit, bits);
        long firstByte = firstBit / 8;
        for (int i = 0; i < size; i++) {
            dst[offset + i] = (firstByte + i) % 1024 < 512 ? (byte) 0xff : 0;
        }
    }
}
