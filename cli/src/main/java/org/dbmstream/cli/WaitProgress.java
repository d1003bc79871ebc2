package org.dbmstream.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A line on stderr every so often while a command waits for the destination, so that a long wait is never
 * silent: how many of the expected bitmaps finished (completed or cancelled), the time waited and the most it
 * waits ({@code --timeout}). Runs on a daemon thread until closed.
 */
final class WaitProgress implements AutoCloseable {
    /** How often a line is printed while nothing else is. */
    static final Duration EVERY = Duration.ofSeconds(10);

    private final AtomicInteger finished = new AtomicInteger();
    private final Thread thread;
    private volatile boolean open = true;

    private WaitProgress(final String command, final PrintWriter err, final int expected, final Duration timeout,
            final Duration every) {
        final long start = System.nanoTime();
        this.thread = new Thread(() -> {
            try {
                while (open) {
                    Thread.sleep(every.toMillis());
                    if (open) {
                        err.println(line(command, finished.get(), expected, Duration.ofNanos(System.nanoTime() - start),
                                timeout));
                        err.flush();
                    }
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "dbm-wait-progress");
        thread.setDaemon(true);
    }

    /** Starts printing for {@code command} (e.g. "dbm migrate") waiting for {@code expected} bitmaps. */
    static WaitProgress start(final String command, final PrintWriter err, final int expected, final Duration timeout) {
        return start(command, err, expected, timeout, EVERY);
    }

    static WaitProgress start(final String command, final PrintWriter err, final int expected, final Duration timeout,
            final Duration every) {
        final WaitProgress p = new WaitProgress(command, err, expected, timeout, every);
        p.thread.start();
        return p;
    }

    /** A bitmap completed or was cancelled. */
    void bitmapFinished() {
        finished.incrementAndGet();
    }

    static String line(final String command, final int finished, final int expected, final Duration waited,
            final Duration timeout) {
        return String.format(Locale.ROOT, "%s: waiting for the destination: %d of %d bitmap(s) finished, %d s "
                + "(--timeout %s)", command, finished, expected, waited.toSeconds(), human(timeout));
    }

    /** A duration the way the options take it: 10m, 90s, 2h. */
    static String human(final Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        final long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    /** Stops the lines; none is printed after this returns. */
    @Override
    public void close() {
        open = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
