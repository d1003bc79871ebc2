package org.dbmstream.bitmap;

/**
 * The number of disk bytes one bit of a dirty bitmap covers: a power of two from 512 B to 2 GiB,
 * as QEMU allows.
 */
public record Granularity(long bytes) {
    public static final long MIN = 512;
    public static final long MAX = 1L << 31;

    public Granularity {
        if (bytes < MIN || bytes > MAX || Long.bitCount(bytes) != 1) {
            throw new IllegalArgumentException(
                    "granularity must be a power of two from 512 B to 2 GiB, got " + bytes);
        }
    }

    public static Granularity of(long bytes) {
        return new Granularity(bytes);
    }

    /** Parses {@code 512}, {@code 64K}, {@code 1M}, {@code 2G} (binary units, as QEMU writes them). */
    public static Granularity parse(String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        int shift = t.endsWith("K") ? 10 : t.endsWith("M") ? 20 : t.endsWith("G") ? 30 : 0;
        try {
            return of(Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1)) << shift);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a granularity: '" + text + "' (e.g. 512, 64K, 1M, 2G)", e);
        }
    }

    /** log2 of the granularity. */
    public int shift() {
        return Long.numberOfTrailingZeros(bytes);
    }

    /** Number of bits a bitmap of a disk of {@code diskSize} bytes has: ceil(size / g). */
    public long bitsFor(long diskSize) {
        if (diskSize < 0) {
            throw new IllegalArgumentException("disk size must not be negative: " + diskSize);
        }
        return (diskSize + bytes - 1) >>> shift();
    }

    /**
     * Sectors (512 B) covered by one migration chunk of CHUNK_SIZE (1 KiB) of bitmap:
     * {@code 1024 * 8 * (g / 512)}, in 64 bits (QEMU once overflowed this in 32 bits for large g).
     */
    public long sectorsPerChunk() {
        return (long) QemuConstants.CHUNK_SIZE * 8L * (bytes >>> QemuConstants.SECTOR_BITS);
    }

    @Override
    public String toString() {
        return Long.toString(bytes);
    }
}
