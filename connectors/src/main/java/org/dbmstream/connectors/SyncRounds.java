package org.dbmstream.connectors;

import java.util.concurrent.TimeUnit;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.sync.BitmapOutcome;
import org.dbmstream.source.sync.RoundResult;
import org.dbmstream.source.sync.SyncSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's looks in sync mode ({@link SyncMode}): when a look is due, one round per image or export, each on its
 * own (one that cannot be read now, a running VM's image, is skipped until the next look and its replica left
 * as it is). Runs on the task's thread; {@link #close} on the same thread.
 */
final class SyncRounds implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRounds.class);

    /** Reads one source into a round's request; null: nothing to sync there now. */
    @FunctionalInterface
    interface Source<T> {
        MigrationRequest read(T source) throws Exception;
    }

    private final SyncSession session;
    private final long intervalNanos;
    private long due = System.nanoTime();

    /** @param intervalMillis between looks; 0: look once */
    SyncRounds(SyncSession session, long intervalMillis) {
        this.session = session;
        this.intervalNanos = intervalMillis == 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    /** Milliseconds until the next look (0: due now). */
    long waitMillis() {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime()));
    }

    /** A look: one round per source, in order, if one is due. */
    <T> void lookIfDue(Iterable<T> sources, Source<T> reader) throws InterruptedException {
        if (waitMillis() > 0) {
            return;
        }
        long started = System.nanoTime();
        due = intervalNanos == Long.MAX_VALUE ? Long.MAX_VALUE : started + intervalNanos;
        for (T source : sources) {
            MigrationRequest request;
            try {
                request = reader.read(source);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                LOG.warn("skipping {} until the next look: {}", source, e.getMessage());
                continue;
            }
            if (request == null) {
                continue;
            }
            try {
                RoundResult r = session.round(request);
                for (BitmapOutcome b : r.bitmaps()) {
                    if (b.ok()) {
                        LOG.info("{} {}: {} ({} chunks, {} bytes)", source, b.id(), b.result(), b.chunks(), b.bytes());
                    } else {
                        LOG.warn("{} {}: failed: {}", source, b.id(), b.detail());
                    }
                }
            } catch (RuntimeException | java.io.IOException e) {
                LOG.warn("round of {} failed, trying again at the next look: {}", source, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
