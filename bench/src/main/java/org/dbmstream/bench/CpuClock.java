package org.dbmstream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time spent during a run: by the whole JVM (broker included, which writes the changelogs) and by
 * Kafka Streams' stream threads. On a machine shared with other work, wall-clock figures swing with
 * the load while CPU time per chunk stays close to what the work costs, so the two are printed side
 * by side.
 */
final class CpuClock {
    private final long processStart;
    private final long streamThreadsStart;

    private CpuClock(long processStart, long streamThreadsStart) {
        this.processStart = processStart;
        this.streamThreadsStart = streamThreadsStart;
    }

    static CpuClock start() {
        return new CpuClock(processCpuNanos(), streamThreadsCpuNanos());
    }

    /** {@code process_cpu_ms} and {@code stream_thread_cpu_ms} since {@link #start()}. */
    Map<String, Object> since() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("process_cpu_ms", Math.round((processCpuNanos() - processStart) / 1e6));
        m.put("stream_thread_cpu_ms", Math.round((streamThreadsCpuNanos() - streamThreadsStart) / 1e6));
        return m;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static long streamThreadsCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains("-StreamThread-")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                total += Math.max(0, t);
            }
        }
        return total;
    }
}
