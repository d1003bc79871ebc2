package org.dbmstream.bitmap.chunk;

import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.QemuConstants;

/**
 * How QEMU's save side cuts one bitmap into BITS chunks, computed from the geometry alone (no bitmap
 * bytes): {@code total_sectors = ceil(diskSize / 512)}, chunks of {@link Granularity#sectorsPerChunk()}
 * sectors, the last one shorter. Chunk {@code i} starts at sector {@code i * sectorsPerChunk}. A wider
 * {@link ChunkSize} (up to the 10 KiB QEMU's loader accepts) cuts the same way with proportionally more
 * sectors per chunk.
 *
 * <p>Two edge cases follow QEMU's {@code bulk_phase_send_chunk} loop: a disk of size 0 still yields one
 * chunk of 0 sectors (sent as ZEROES). Where QEMU's {@code uint32_t nr_sectors} would truncate (disks over
 * 2 TiB at granularities of 256 MiB and more, where it never finishes), chunks are capped at
 * {@link #MAX_CHUNK_SECTORS}, a power of two, so every chunk still starts on a 64-bit word of the bitmap
 * and its sector count fits the wire's be32.
 */
public final class ChunkLayout {
    /** Largest power of two that fits the be32 sector count of a BITS chunk. */
    public static final long MAX_CHUNK_SECTORS = 1L << 31;

    private final long diskSize;
    private final Granularity granularity;
    private final ChunkSize chunkSize;
    private final long totalSectors;
    private final long sectorsPerChunk;
    private final long chunkCount;

    /** QEMU's own layout: 1 KiB of bitmap per chunk. */
    public ChunkLayout(long diskSize, Granularity granularity) {
        this(diskSize, granularity, ChunkSize.QEMU);
    }

    public ChunkLayout(long diskSize, Granularity granularity, ChunkSize chunkSize) {
        if (diskSize < 0) {
            throw new IllegalArgumentException("disk size must not be negative: " + diskSize);
        }
        this.diskSize = diskSize;
        this.granularity = granularity;
        this.chunkSize = chunkSize;
        this.totalSectors = (diskSize + QemuConstants.SECTOR_SIZE - 1) >>> QemuConstants.SECTOR_BITS;
        long wide = granularity.sectorsPerChunk() * (chunkSize.bytes() / QemuConstants.CHUNK_SIZE);
        this.sectorsPerChunk = Math.min(wide, MAX_CHUNK_SECTORS);
        this.chunkCount = Math.max(1, (totalSectors + sectorsPerChunk - 1) / sectorsPerChunk);
    }

    public long diskSize() {
        return diskSize;
    }

    public Granularity granularity() {
        return granularity;
    }

    public ChunkSize chunkSize() {
        return chunkSize;
    }

    /** QEMU's {@code bdrv_nb_sectors}: ceil(diskSize / 512). */
    public long totalSectors() {
        return totalSectors;
    }

    /** Sectors of every chunk but the last. */
    public long sectorsPerChunk() {
        return sectorsPerChunk;
    }

    public long chunkCount() {
        return chunkCount;
    }

    public long firstSector(long index) {
        checkIndex(index);
        return index * sectorsPerChunk;
    }

    /** Sectors chunk {@code index} covers: {@code min(totalSectors - first, sectorsPerChunk)}. */
    public long sectors(long index) {
        long first = firstSector(index);
        return Math.min(totalSectors - first, sectorsPerChunk);
    }

    /** First bitmap bit chunk {@code index} covers (a multiple of 64). */
    public long firstBit(long index) {
        return (firstSector(index) << QemuConstants.SECTOR_BITS) >>> granularity.shift();
    }

    /** Bitmap bits chunk {@code index} covers, as QEMU maps its byte range onto granules. */
    public long bits(long index) {
        long n = sectors(index);
        if (n == 0) {
            return 0;
        }
        long firstByte = firstSector(index) << QemuConstants.SECTOR_BITS;
        long lastByte = firstByte + (n << QemuConstants.SECTOR_BITS) - 1;
        return (lastByte >>> granularity.shift()) - (firstByte >>> granularity.shift()) + 1;
    }

    /** Serialized bytes of the chunk's bits ({@code bdrv_dirty_bitmap_serialization_size}). */
    public long serializedSize(long index) {
        return DirtyBitmap.serializationSize(firstBit(index), bits(index));
    }

    /** Size of the BITS buffer: the serialized size rounded up to 32 bytes. */
    public long bufferSize(long index) {
        return QemuConstants.alignUp(serializedSize(index), QemuConstants.BUFFER_ALIGN);
    }

    /**
     * QEMU's pending-work estimate for a bitmap whose bulk phase has reached {@code curSector}:
     * {@code DIV_ROUND_UP((totalSectors - curSector) * 512, granularity)} bits.
     */
    public long remainingBits(long curSector) {
        long sectors = Math.max(0, totalSectors - curSector);
        return ((sectors << QemuConstants.SECTOR_BITS) + granularity.bytes() - 1) >>> granularity.shift();
    }

    private void checkIndex(long index) {
        if (index < 0 || index >= chunkCount) {
            throw new IndexOutOfBoundsException("chunk " + index + " of " + chunkCount);
        }
    }
}
