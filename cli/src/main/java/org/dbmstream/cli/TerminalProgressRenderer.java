package org.dbmstream.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.dbmstream.source.LineProgressRenderer;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublishPhase;
import org.dbmstream.source.PublishProgress;
import org.dbmstream.source.PublishResult;

/**
 * Draws {@code migrate}'s progress bar on a terminal: the bitmap bytes sent out of all selected ones (QEMU's
 * pending estimate), with the phase and the publishing rate after the bar ({@link ProgressLine} lays it out).
 */
final class TerminalProgressRenderer implements PublishListener {
    private static final int REDRAW_MILLIS = 200;
    private static final long REDRAW_NANOS = REDRAW_MILLIS * 1_000_000L;
    private final PrintStream out;
    private final int columns;
    private ProgressBar bar;
    private PublishPhase shownPhase;
    private long messageAt;

    /** @param columns the terminal's width; 0: as the terminal says */
    TerminalProgressRenderer(final PrintStream out, final int columns) {
        this.out = out;
        this.columns = columns;
    }

    @Override
    public void started(final PublishProgress p) {
        bar = new ProgressBarBuilder()
                .setTaskName(p.migration())
                .setInitialMax(p.totalBits())
                .setRenderer(new ProgressLine())
                .setUpdateIntervalMillis(REDRAW_MILLIS)
                // the last column stays free, as the library leaves it when it asks the terminal: a full line
                // would wrap on some terminals
                .setConsumer(new ConsoleProgressBarConsumer(out, columns > 0 ? columns - 1 : -1))
                .build();
        update(p);
    }

    @Override
    public void progressed(final PublishProgress p) {
        if (bar != null) {
            update(p);
        }
    }

    @Override
    public void finished(final PublishProgress p, final PublishResult result) {
        if (bar != null) {
            update(p);
            bar.close();
            bar = null;
        }
    }

    private void update(final PublishProgress p) {
        // the message first: the library's own thread may draw between the two calls, and it draws a position
        // only once, so a step drawn before its phase would never show the phase
        // the rate as often as the bar is drawn, not per record: formatting it is the costly part
        if (p.phase() != shownPhase || p.elapsedNanos() - messageAt >= REDRAW_NANOS) {
            messageAt = p.elapsedNanos();
            bar.setExtraMessage(p.phase() + " " + LineProgressRenderer.rate(p.bytesPerSecond()));
        }
        bar.stepTo(p.doneBits());
        if (p.phase() != shownPhase) {
            // a new phase shows at once; in between, the library redraws a few times a second
            shownPhase = p.phase();
            bar.refresh();
        }
    }
}
