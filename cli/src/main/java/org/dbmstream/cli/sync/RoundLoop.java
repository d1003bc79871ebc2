package org.dbmstream.cli.sync;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When rounds start ({@code --every}), and SIGTERM / Ctrl-C: the round under way finishes (its confirmations
 * are written), no further one starts, and the process exits 0. Close it after everything else the rounds
 * use, so that what they remember is written before the process goes.
 */
final class RoundLoop implements AutoCloseable {
    /** How long a stop waits for the round under way before it gives up. */
    private static final Duration STOP_WAIT = Duration.ofMinutes(15);

    private final Duration every;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Object wake = new Object();
    private final Thread hook;
    private volatile boolean stopping;
    private long roundStart;

    private RoundLoop(Duration every) {
        this.every = every;
        this.hook = new Thread(this::stopAfterRound, "dbm-sync-stop");
    }

    static RoundLoop start(Duration every) {
        RoundLoop loop = new RoundLoop(every);
        Runtime.getRuntime().addShutdownHook(loop.hook);
        return loop;
    }

    /** Whether a stop was asked for: start no further round. */
    boolean stopping() {
        return stopping;
    }

    void roundStarts() {
        roundStart = System.nanoTime();
    }

    /** Waits until the next round is due (right away without {@code --every}), or a stop is asked for. */
    void awaitNext() throws InterruptedException {
        if (every == null) {
            return;
        }
        long due = roundStart + every.toNanos();
        synchronized (wake) {
            long left;
            while (!stopping && (left = due - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(wake, left);
            }
        }
    }

    private void stopAfterRound() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        try {
            finished.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a stop that was asked for and ended cleanly is a success, not 128+signal
        Runtime.getRuntime().halt(0);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs: it waits for this
        }
        finished.countDown();
    }
}
