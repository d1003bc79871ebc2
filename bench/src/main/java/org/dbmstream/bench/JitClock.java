package org.dbmstream.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Time the JIT compilers spent, from {@link CompilationMXBean#getTotalCompilationTime()}: printed per
 * timed section ({@code jit_compile_ms}), so a run shows whether compilation still competed with the
 * measured work for the machine's cores (on 2 cores, C2 threads took 35-45 % of the CPU of short runs).
 */
final class JitClock {
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private final long startMs;

    private JitClock(long startMs) {
        this.startMs = startMs;
    }

    /** Starts a section. */
    static JitClock start() {
        return new JitClock(totalMs());
    }

    /** Compilation milliseconds since {@link #start()}; -1 when the JVM does not measure it. */
    long sinceMs() {
        long now = totalMs();
        return now < 0 || startMs < 0 ? -1 : now - startMs;
    }

    private static long totalMs() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : -1;
    }
}
