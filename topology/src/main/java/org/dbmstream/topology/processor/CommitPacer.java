package org.dbmstream.topology.processor;

import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Asks Kafka Streams for an early commit when a task produced something someone waits for (an event,
 * a fact for the migration's tracker, a cancel/fail decision), at most once per interval. Bulk chunks
 * then commit every {@code commit.interval.ms} while events still leave within about the interval.
 * A commit is only ever earlier than the regular one, so the exactly-once guarantee is the same.
 */
public final class CommitPacer {
    private final long intervalMs;
    private ProcessorContext<?, ?> context;
    private long lastRequestMs = Long.MIN_VALUE / 2;
    private boolean pending;

    public CommitPacer(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    /** Starts pacing for the task of {@code context}: a wall-clock check every interval. */
    public void init(ProcessorContext<?, ?> context) {
        this.context = context;
        this.pending = false;
        this.lastRequestMs = Long.MIN_VALUE / 2;
        context.schedule(Duration.ofMillis(intervalMs), PunctuationType.WALL_CLOCK_TIME, now -> {
            if (pending) {
                request(now);
            }
        });
    }

    /** Something waited for was forwarded: commit now, or at the next check if a request is recent. */
    public void produced() {
        long now = context.currentSystemTimeMs();
        if (now - lastRequestMs >= intervalMs) {
            request(now);
        } else {
            pending = true;
        }
    }

    private void request(long now) {
        pending = false;
        lastRequestMs = now;
        context.commit();
    }
}
