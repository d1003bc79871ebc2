package org.dbmstream.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A table as the commands print them: a header row, columns two spaces apart, aligned by terminal columns
 * ({@link DisplayWidth}: CJK names take two), numbers right-aligned, the last column unpadded. Tables keep
 * to 100 columns by cutting long values such as sha256 digests ({@link #digest}); {@code -w/--wide} and
 * {@code --json} print them whole.
 */
public final class TextTable {
    /** Digits of a sha256 a narrow table shows. */
    static final int DIGEST_DIGITS = 12;

    private final String[] header;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    /** Columns named {@code header}; a name starting with '>' is right-aligned (the '>' is not printed). */
    TextTable(final String... header) {
        this.header = new String[header.length];
        this.right = new boolean[header.length];
        for (int c = 0; c < header.length; c++) {
            right[c] = header[c].startsWith(">");
            this.header[c] = right[c] ? header[c].substring(1) : header[c];
        }
    }

    TextTable add(final String... row) {
        if (row.length != header.length) {
            throw new IllegalArgumentException(row.length + " values for " + header.length + " columns");
        }
        rows.add(row.clone());
        return this;
    }

    void print(final PrintWriter out) {
        final int[] width = new int[header.length];
        final List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (final String[] row : all) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], DisplayWidth.of(row[c]));
            }
        }
        for (final String[] row : all) {
            final StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                final int pad = width[c] - DisplayWidth.of(row[c]);
                final boolean last = c == row.length - 1;
                line.append(c == 0 ? "" : "  ");
                if (right[c]) {
                    line.append(" ".repeat(pad)).append(row[c]);
                } else {
                    line.append(row[c]).append(last ? "" : " ".repeat(pad));
                }
            }
            out.println(line);
        }
        out.flush();
    }

    /** A sha256 as a table shows it: whole when {@code wide}, else its first digits and "..."; "-" when null. */
    public static String digest(final String sha256, final boolean wide) {
        if (sha256 == null) {
            return "-";
        }
        return wide || sha256.length() <= DIGEST_DIGITS ? sha256 : sha256.substring(0, DIGEST_DIGITS) + "...";
    }
}
