package org.dbmstream.query;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.dbmstream.bitmap.load.BitmapPhase;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.bitmap.load.ReplicaVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each target's bitmaps held here are doing ({@link Summary}), for {@code GET /v1/targets} and the replica age
 * gauges. Reading every bitmap's metadata takes seconds with 100,000 bitmaps, so it is never done on a request: a
 * background thread reads them about a second after this instance emitted events (a bitmap started, completed or
 * went), and every {@value #REFRESH_S} s in any case (tasks move between instances without events here), pausing at
 * least four times as long as the last read took, so it uses at most a fifth of a core however large the replica.
 * Requests answer from the last read; {@link Snapshot#at} says when that was.
 */
final class TargetSummaries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TargetSummaries.class);
    static final long REFRESH_S = 10;
    private static final long SETTLE_MS = 1000;

    /**
     * One target's bitmaps on this instance.
     *
     * @param complete            completed bitmaps
     * @param loading             bitmaps still loading
     * @param lagging             completed replicas of enabled bitmaps (their sources record writes since they were read)
     * @param oldestLaggingSince  when the source read the oldest lagging replica (epoch ms; 0: none lagging)
     * @param lastCompleted       when the most recent version of any of them completed (epoch ms; 0: unknown)
     */
    record Summary(long complete, long loading, long lagging, long oldestLaggingSince, long lastCompleted) {
        static final Summary NONE = new Summary(0, 0, 0, 0, 0);

        Summary add(BitmapState s) {
            boolean done = s.phase() == BitmapPhase.COMPLETE;
            ReplicaVersion r = s.replica();
            boolean lags = done && s.enabled() && !s.recording();
            long since = r.readTime() > 0 ? r.readTime() : r.completedTime();
            long oldest = oldestLaggingSince;
            if (lags && since > 0) {
                oldest = oldest == 0 ? since : Math.min(oldest, since);
            }
            return new Summary(complete + (done ? 1 : 0), loading + (done ? 0 : 1), lagging + (lags ? 1 : 0), oldest,
                    Math.max(lastCompleted, done ? r.completedTime() : 0));
        }
    }

    /** The summaries of one read, by target, and when it was made (epoch ms). */
    record Snapshot(Map<String, Summary> byTarget, long at) {
    }

    private final LocalReplica local;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dbm-target-summaries");
        t.setDaemon(true);
        return t;
    });
    private volatile Snapshot snapshot;
    private volatile long changedAt;
    private long lastReadAt;
    private long nextReadEarliest;

    TargetSummaries(LocalReplica local) {
        this.local = local;
    }

    /** Starts reading in the background: at once (as soon as the destination runs) and then as described above. */
    TargetSummaries start() {
        thread.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    /** This instance emitted an event: a bitmap here may have started, completed or gone. */
    void changed() {
        if (changedAt == 0) {
            changedAt = System.currentTimeMillis();
        }
    }

    /** The last read, or null before the first one succeeded. */
    Snapshot snapshot() {
        return snapshot;
    }

    private void tick() {
        long now = System.currentTimeMillis();
        long changed = changedAt;
        boolean due = snapshot == null || now - lastReadAt >= REFRESH_S * 1000
                || changed != 0 && now - changed >= SETTLE_MS;
        if (due && now >= nextReadEarliest) {
            read(now);
        }
    }

    /** Reads every bitmap held here once. */
    private void read(long now) {
        changedAt = 0;
        try {
            Map<String, Summary> byTarget = local.read(stores -> {
                Map<String, Summary> out = new HashMap<>();
                stores.forEachBitmap(null, b -> out.merge(b.state().names().target(), Summary.NONE.add(b.state()),
                        (a, x) -> a.add(b.state())));
                return out;
            }).value();
            long took = System.currentTimeMillis() - now;
            snapshot = new Snapshot(Map.copyOf(byTarget), now);
            lastReadAt = now;
            nextReadEarliest = now + took * 5;
            if (took > 1000) {
                LOG.info("read the summaries of {} target(s) in {} ms", byTarget.size(), took);
            }
        } catch (Unavailable e) {
            // not running yet, or tasks moving: the next tick tries again
            changedAt = changedAt == 0 ? now : changedAt;
            LOG.debug("target summaries not read now: {}", e.getMessage());
        } catch (RuntimeException e) {
            changedAt = changedAt == 0 ? now : changedAt;
            LOG.warn("target summaries not read: {}", e.toString());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
