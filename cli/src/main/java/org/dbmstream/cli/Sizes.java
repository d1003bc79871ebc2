package org.dbmstream.cli;

import java.util.Locale;

/** Parses sizes such as {@code 512}, {@code 64K}, {@code 50M}, {@code 1G} (binary units, as QEMU). */
final class Sizes {
    private Sizes() {
    }

    static long parse(final String text) {
        final String t = text.trim().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty size");
        }
        final char last = t.charAt(t.length() - 1);
        final int shift = switch (last) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        final String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            final long v = Long.parseLong(digits);
            if (v < 0 || (shift > 0 && v > (Long.MAX_VALUE >> shift))) {
                throw new IllegalArgumentException("size out of range: " + text);
            }
            return v << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "' (use e.g. 512, 64K, 50M, 1G)", e);
        }
    }
}
