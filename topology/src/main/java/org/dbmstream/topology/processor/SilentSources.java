package org.dbmstream.topology.processor;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * When each migration's chunks last arrived on one loading task, by the task's wall clock, so that a
 * migration whose source went silent while bitmaps were still loading can be cancelled instead of
 * staying half-done forever. In memory only: after a restart the clock starts again, which only makes
 * the wait longer.
 */
final class SilentSources {
    private final long timeoutMs;
    private final Map<String, Long> lastChunk = new LinkedHashMap<>();

    SilentSources(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    boolean enabled() {
        return timeoutMs > 0;
    }

    /** How often to look: a quarter of the timeout, between 1 s and 30 s. */
    Duration checkInterval() {
        return Duration.ofMillis(Math.max(1000, Math.min(30_000, timeoutMs / 4)));
    }

    void chunkArrived(String migration, long nowMs) {
        if (enabled()) {
            lastChunk.put(migration, nowMs);
        }
    }

    /** Other progress of a migration this task follows (a bitmap of it completed on another partition). */
    void progressed(String migration, long nowMs) {
        lastChunk.computeIfPresent(migration, (m, before) -> nowMs);
    }

    /**
     * Hands every migration silent for longer than the timeout to {@code silent} when {@code loading}
     * says it still has bitmaps loading here, and forgets it either way.
     */
    void check(long nowMs, Predicate<String> loading, BiConsumer<String, String> silent) {
        for (Iterator<Map.Entry<String, Long>> it = lastChunk.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (nowMs - e.getValue() < timeoutMs) {
                continue;
            }
            it.remove();
            if (loading.test(e.getKey())) {
                silent.accept(e.getKey(), "no chunk of migration '" + e.getKey() + "' arrived for "
                        + Duration.ofMillis(timeoutMs) + " while bitmaps were still loading: its source went silent "
                        + "(" + org.dbmstream.topology.DestinationConfig.IDLE_TIMEOUT + ")");
            }
        }
    }
}
