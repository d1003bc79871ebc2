package org.dbmstream.testkit.fuzz;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread allocated while running a piece of code (HotSpot's per-thread allocation
 * counter), so that a fuzz suite can assert that no input makes a reader allocate beyond a stated
 * bound, such as a buffer sized by a length field claiming a terabyte.
 */
public final class AllocationMeter {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationMeter() {
    }

    /** A piece of code that may throw anything. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** What {@link #measure} saw: bytes allocated and the exception thrown (null if none). */
    public record Measured(long bytes, Throwable thrown) {
    }

    /** Runs {@code action} on this thread and reports what it allocated and threw. */
    public static Measured measure(final Action action) {
        final long id = Thread.currentThread().getId();
        final long before = THREADS.getThreadAllocatedBytes(id);
        Throwable thrown = null;
        try {
            action.run();
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            thrown = e;
        }
        return new Measured(THREADS.getThreadAllocatedBytes(id) - before, thrown);
    }
}
