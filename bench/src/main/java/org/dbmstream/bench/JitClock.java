package org.dbmstream.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Time the JIT compilers spent in a section: {@code jit_compile_ms} from
 * {@link CompilationMXBean#getTotalCompilationTime()} (elapsed time inside compilations, summed over the
 * compiler threads, so it grows when they wait for a core too), and {@code jit_cpu_ms}, the CPU time of
 * the compiler threads from {@code /proc/self/task/<tid>/stat} on Linux (-1 elsewhere). Printed per timed
 * section, so a run shows whether compilation still competed with the measured work for the machine's
 * cores (on 2 cores, C2 threads took 35-45 % of the CPU of short runs).
 */
final class JitClock {
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private static final Path TASKS = Path.of("/proc/self/task");
    /** Linux's USER_HZ: the unit of utime and stime in {@code stat}. */
    private static final long TICK_MS = 10;
    private final long startMs;
    private final long startCpuMs;

    private JitClock(long startMs, long startCpuMs) {
        this.startMs = startMs;
        this.startCpuMs = startCpuMs;
    }

    /** Starts a section. */
    static JitClock start() {
        return new JitClock(totalMs(), cpuMs());
    }

    /** Compilation milliseconds since {@link #start()}; -1 when the JVM does not measure it. */
    long sinceMs() {
        long now = totalMs();
        return now < 0 || startMs < 0 ? -1 : now - startMs;
    }

    /** CPU milliseconds of the compiler threads since {@link #start()}; -1 when not measurable here. */
    long cpuSinceMs() {
        long now = cpuMs();
        return now < 0 || startCpuMs < 0 ? -1 : now - startCpuMs;
    }

    private static long totalMs() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : -1;
    }

    /** utime + stime of the live threads named "C1/C2 CompilerThread..." (a compiler thread that ended takes its time along). */
    private static long cpuMs() {
        if (!Files.isDirectory(TASKS)) {
            return -1;
        }
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open || !stat.substring(open + 1, close).contains("CompilerThre")) {
                    continue;
                }
                // after "pid (comm) ": state is field 3; utime and stime are fields 14 and 15
                String[] f = stat.substring(close + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return ticks * TICK_MS;
    }
}
