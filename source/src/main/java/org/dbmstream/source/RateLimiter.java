package org.dbmstream.source;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Limits publishing to a number of bytes per second, like QEMU's {@code max-bandwidth}: a token bucket
 * that may run ahead by at most a tenth of a second's worth of bytes (QEMU accounts bandwidth in 100 ms
 * slices), so bursts stay short and the long-run rate never exceeds the limit.
 */
public final class RateLimiter {
    /** How far ahead of the clock a sender may run: QEMU's 100 ms rate-limit slice. */
    static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Sleeps for a number of nanoseconds; replaceable so unit tests need not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final long bytesPerSecond;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    /** Time at which the bytes granted so far have been "paid for". */
    private long paidUntil;
    private boolean started;

    private RateLimiter(long bytesPerSecond, LongSupplier clock, Sleeper sleeper) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("rate limit must be positive bytes/s, got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** A limiter of {@code bytesPerSecond} on the system clock. */
    public static RateLimiter of(long bytesPerSecond) {
        return new RateLimiter(bytesPerSecond, System::nanoTime, nanos -> TimeUnit.NANOSECONDS.sleep(nanos));
    }

    /** A limiter with its own clock (nanoseconds) and sleeper, for tests. */
    public static RateLimiter of(long bytesPerSecond, LongSupplier clock, Sleeper sleeper) {
        return new RateLimiter(bytesPerSecond, clock, sleeper);
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /**
     * Accounts for {@code bytes} about to be sent, blocking while the sender is more than one slice
     * ahead of the limit.
     */
    public void acquire(long bytes) throws InterruptedException {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative byte count " + bytes);
        }
        long now = clock.getAsLong();
        if (!started || paidUntil < now - BURST_NANOS) {
            // idle time does not accumulate credit beyond one slice
            paidUntil = now - BURST_NANOS;
            started = true;
        }
        paidUntil += nanosFor(bytes);
        long wait = paidUntil - now;
        if (wait > 0) {
            sleeper.sleepNanos(wait);
        }
    }

    /** Nanoseconds that {@code bytes} take at the limit, saturating instead of overflowing. */
    long nanosFor(long bytes) {
        long seconds = bytes / bytesPerSecond;
        long rest = bytes % bytesPerSecond;
        if (seconds > (Long.MAX_VALUE >> 2) / 1_000_000_000L) {
            return Long.MAX_VALUE >> 2; // centuries: saturate rather than overflow
        }
        return seconds * 1_000_000_000L + (long) (rest * 1e9 / bytesPerSecond);
    }
}
