package org.dbmstream.bench;

import java.util.List;

/**
 * The arithmetic of the floors the benches print beside {@code ratio}: the fastest of repeated baseline
 * runs, a median, and the ceiling a destination's ratio could reach if it paid only the measured floors.
 */
final class Floors {

    private Floors() {
    }

    /** The shortest of {@code runs} (nanoseconds): the fastest baseline, the conservative one for the ratio. */
    static long fastest(List<Long> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs");
        }
        return runs.stream().mapToLong(Long::longValue).min().getAsLong();
    }

    /** The median of {@code values} (the mean of the middle two for an even count). */
    static double median(List<Long> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Long> sorted = values.stream().sorted().toList();
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2.0;
    }

    /** {@code records} over {@code nanos}, per second. */
    static double perSecond(long records, long nanos) {
        return records / (nanos / 1e9);
    }

    /**
     * The ratio a destination would reach if it processed {@code chunks} at {@code decodeChunksPerS} (the
     * decode floor) and paid the fixed latency floor {@code latencyFloorSeconds} once per each of its
     * {@code runs}, over a baseline reading the same chunks at {@code baselineChunksPerS}:
     * {@code chunks / (chunks / decode + runs * latency) / baseline}.
     */
    static double ratioCeiling(double chunks, double decodeChunksPerS, int runs, double latencyFloorSeconds,
            double baselineChunksPerS) {
        if (chunks <= 0 || decodeChunksPerS <= 0 || baselineChunksPerS <= 0 || runs < 0 || latencyFloorSeconds < 0) {
            throw new IllegalArgumentException("need positive chunks and rates, runs and latency >= 0");
        }
        double seconds = chunks / decodeChunksPerS + runs * latencyFloorSeconds;
        return chunks / seconds / baselineChunksPerS;
    }

    /**
     * JIT compilation time over wall time of a section: 0 when the compilers were idle; it can exceed 1,
     * as the compile time of all compiler threads adds up. Negative {@code jitMs} (not measured) gives 0.
     */
    static double jitShare(long jitMs, long wallNanos) {
        return jitMs <= 0 || wallNanos <= 0 ? 0 : jitMs / (wallNanos / 1e6);
    }
}
