package org.dbmstream.source;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Draws a progress bar on a terminal: bits sent out of all selected bits (QEMU's pending estimate),
 * with the phase and the publishing rate as the bar's message.
 */
public final class TerminalProgressRenderer implements PublishListener {
    private final PrintStream out;
    private ProgressBar bar;
    private PublishPhase shownPhase;

    public TerminalProgressRenderer(PrintStream out) {
        this.out = out;
    }

    @Override
    public void started(PublishProgress p) {
        bar = new ProgressBarBuilder()
                .setTaskName("migration " + p.migration())
                .setInitialMax(p.totalBits())
                .setUnit(" bits", 1)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .build();
        update(p);
    }

    @Override
    public void progressed(PublishProgress p) {
        if (bar != null) {
            update(p);
        }
    }

    @Override
    public void finished(PublishProgress p, PublishResult result) {
        if (bar != null) {
            update(p);
            bar.close();
            bar = null;
        }
    }

    private void update(PublishProgress p) {
        bar.stepTo(p.doneBits());
        if (p.phase() != shownPhase || p.records() % 64 == 0) {
            shownPhase = p.phase();
            bar.setExtraMessage(String.format(" %s %s", p.phase(), LineProgressRenderer.rate(p.bytesPerSecond())));
        }
    }
}
