package org.dbmstream.cli;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;
import org.dbmstream.source.ByteSize;

/**
 * One line of {@code migrate}'s progress bar, laid out for the terminal's width: a short migration id, the
 * percentage, the bar, then the details (bitmap bytes sent of all, the extra message: phase and rate). The
 * bar takes what is left; when the line is narrow the details go first (rate, then phase), never the bar.
 * The bar's unit is bitmap bytes (8 bits each) in KiB/MiB/GiB, not bits.
 */
final class ProgressLine implements ProgressBarRenderer {
    /** Columns an id may take before it is cut: "mig-" and 8 hex digits of a generated id, and "…". */
    static final int ID_COLUMNS = 13;
    private static final int MIN_BAR = 10;
    private static final char FULL = '█';
    private static final char[] PARTS = {' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'};

    @Override
    public String render(final ProgressState state, final int maxLength) {
        final String id = shortId(state.getTaskName());
        final double fraction = state.getMax() <= 0 ? 1.0 : Math.min(1.0, state.getNormalizedProgress());
        final String head = String.format(Locale.ROOT, "%s %3d%% [", id, (int) Math.floor(fraction * 100));
        final String amount = ByteSize.ratio(ByteSize.ofBits(state.getCurrent()), ByteSize.ofBits(state.getMax()));
        final String extra = state.getExtraMessage() == null ? "" : state.getExtraMessage().trim();
        // the details that fit, longest first: everything, then without the rate, then the amount alone
        for (final String details : new String[] {amount + " " + extra, amount + " " + firstWord(extra), amount}) {
            final int barWidth = maxLength - head.length() - 2 - details.length();
            if (barWidth >= MIN_BAR || details.equals(amount)) {
                return head + bar(fraction, Math.max(MIN_BAR, barWidth)) + "] " + details;
            }
        }
        throw new AssertionError("the last choice always returns");
    }

    /** The id as the line shows it: at most {@link #ID_COLUMNS} columns, cut with "…". */
    static String shortId(final String id) {
        return id.length() <= ID_COLUMNS ? id : id.substring(0, ID_COLUMNS - 1) + "…";
    }

    private static String firstWord(final String s) {
        final int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    private static String bar(final double fraction, final int width) {
        final double filled = fraction * width;
        final int full = (int) Math.floor(filled);
        final StringBuilder b = new StringBuilder(width);
        b.append(String.valueOf(FULL).repeat(full));
        if (full < width) {
            b.append(PARTS[(int) Math.floor((filled - full) * PARTS.length)]);
            b.append(" ".repeat(width - full - 1));
        }
        return b.toString();
    }
}
