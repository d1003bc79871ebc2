package org.dbmstream.source;

import java.util.Locale;

/**
 * Amounts of data as every progress and summary line shows them: bytes below 1 KiB, else KiB, MiB, GiB or
 * TiB with one decimal, so that figures printed side by side use the same units.
 */
public final class ByteSize {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private ByteSize() {
    }

    /** {@code bytes} in its own unit: {@code 2369} is "2.3 KiB", {@code 512} is "512 B". */
    public static String of(long bytes) {
        int unit = unitOf(bytes);
        return number(bytes, unit) + " " + UNITS[unit];
    }

    /** {@code done} and {@code total} in the unit of {@code total}: "1.2/3.0 MiB", "62/125 B". */
    public static String ratio(long done, long total) {
        int unit = unitOf(total);
        return number(done, unit) + "/" + number(total, unit) + " " + UNITS[unit];
    }

    /** The bytes of a bitmap of {@code bits} bits (QEMU's layout: 8 bits a byte). */
    public static long ofBits(long bits) {
        return (bits + 7) / 8;
    }

    private static int unitOf(long bytes) {
        int unit = 0;
        while (unit < UNITS.length - 1 && Math.abs(bytes) >= 1L << (10 * (unit + 1))) {
            unit++;
        }
        return unit;
    }

    private static String number(long bytes, int unit) {
        return unit == 0 ? Long.toString(bytes)
                : String.format(Locale.ROOT, "%.1f", bytes / (double) (1L << (10 * unit)));
    }
}
