package org.dbmstream.source;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Prints progress as plain lines (for logs and pipes, where a bar would be noise): one when sending
 * starts, at most one per interval and at every phase change, and one at the end.
 */
public final class LineProgressRenderer implements PublishListener {
    private final PrintStream out;
    private final long intervalNanos;
    private long lastPrinted;
    private PublishPhase lastPhase;

    public LineProgressRenderer(PrintStream out, Duration interval) {
        this.out = out;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void started(PublishProgress p) {
        print(p);
    }

    @Override
    public void progressed(PublishProgress p) {
        if (p.phase() != lastPhase || p.elapsedNanos() - lastPrinted >= intervalNanos) {
            print(p);
        }
    }

    @Override
    public void finished(PublishProgress p, PublishResult result) {
        out.printf(Locale.ROOT, "migration %s: published %d bitmaps in %d records, %s in %.1f s (%s)%n",
                p.migration(), result.bitmaps().size(), p.records(), ByteSize.of(p.bytes()), p.elapsedNanos() / 1e9,
                rate(p.bytesPerSecond()));
    }

    private void print(PublishProgress p) {
        lastPrinted = p.elapsedNanos();
        lastPhase = p.phase();
        out.printf(Locale.ROOT, "migration %s: %s %5.1f%%, %s of bitmap sent, %d records (%s) at %s%n",
                p.migration(), p.phase(), 100 * p.fraction(),
                ByteSize.ratio(ByteSize.ofBits(p.doneBits()), ByteSize.ofBits(p.totalBits())), p.records(),
                ByteSize.of(p.bytes()), rate(p.bytesPerSecond()));
    }

    /** A publishing rate in the units of the amounts beside it: "8.0 KiB/s", "95.4 MiB/s". */
    public static String rate(double bytesPerSecond) {
        return ByteSize.of(Math.round(bytesPerSecond)) + "/s";
    }
}
