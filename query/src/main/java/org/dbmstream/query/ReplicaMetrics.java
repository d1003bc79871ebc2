package org.dbmstream.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.topology.EventObserver;

/**
 * How current the replicas are, on {@code /metrics} (DESIGN.md section 12), for the bitmaps this instance holds:
 * <ul>
 * <li>{@code dbm_replication_lag_seconds} (histogram): from the source reading a version's bits to the replica
 * completing it, per completed version;</li>
 * <li>{@code dbm_replica_versions_total{kind="delta|full"}}, {@code dbm_replica_refusals_total}: versions
 * completed and refused;</li>
 * <li>{@code dbm_replica_version_bytes{kind}} (summary): BITS payload bytes received per version (a sync
 * round's bytes are the sum over its bitmaps);</li>
 * <li>{@code dbm_replica_oldest_age_seconds{target}}: the age of the oldest lagging replica (a completed
 * replica of an enabled bitmap) of each target, so a target whose sync stopped stands out without one series
 * per bitmap. Computed from the last background read of the stores ({@link TargetSummaries}).</li>
 * </ul>
 * Each instance reports the bitmaps it holds; across instances take the sum of counters and the max of ages.
 */
final class ReplicaMetrics implements EventObserver {
    private static final Duration[] LAG_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
        Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1)};

    private final MeterRegistry registry;
    private final TargetSummaries summaries;
    /** The read whose targets all have an age gauge. */
    private volatile TargetSummaries.Snapshot gaugedFor;
    private final Timer lag;
    private final Counter deltas;
    private final Counter fulls;
    private final Counter refusals;
    private final DistributionSummary deltaBytes;
    private final DistributionSummary fullBytes;
    private final Set<String> targetsWithGauge = ConcurrentHashMap.newKeySet();

    ReplicaMetrics(MeterRegistry registry, TargetSummaries summaries) {
        this.registry = registry;
        this.summaries = summaries;
        this.lag = Timer.builder("dbm.replication.lag").description("from the source reading a version's bits to "
                + "the replica completing it").serviceLevelObjectives(LAG_BUCKETS).register(registry);
        this.deltas = Counter.builder("dbm.replica.versions").tag("kind", "delta")
                .description("replica versions completed").register(registry);
        this.fulls = Counter.builder("dbm.replica.versions").tag("kind", "full")
                .description("replica versions completed").register(registry);
        this.refusals = Counter.builder("dbm.replica.refusals")
                .description("deltas and checked versions refused (their base was not the replica's version)")
                .register(registry);
        this.deltaBytes = DistributionSummary.builder("dbm.replica.version.bytes").baseUnit("bytes").tag("kind", "delta")
                .register(registry);
        this.fullBytes = DistributionSummary.builder("dbm.replica.version.bytes").baseUnit("bytes").tag("kind", "full")
                .register(registry);
    }

    @Override
    public void observe(Event e) {
        summaries.changed();
        if (e.getBody() instanceof BitmapCompleted c) {
            boolean delta = c.getBase() != null;
            (delta ? deltas : fulls).increment();
            if (c.getBytes() >= 0) {
                (delta ? deltaBytes : fullBytes).record(c.getBytes());
            }
            long done = e.getTime() == null ? 0 : e.getTime().toEpochMilli();
            if (c.getReadTime() > 0 && done >= c.getReadTime()) {
                lag.record(Duration.ofMillis(done - c.getReadTime()));
            }
            gauge(e.getTarget());
        } else if (e.getBody() instanceof BitmapCancelled c && c.getRefused()) {
            refusals.increment();
        }
    }

    /** One age gauge per target seen; its value comes from the stores. */
    private void gauge(String target) {
        if (targetsWithGauge.add(target)) {
            Gauge.builder("dbm.replica.oldest.age", this, m -> m.oldestAge(target)).baseUnit("seconds")
                    .description("age of the oldest lagging replica (enabled bitmap) of the target, on this instance")
                    .tag("target", target).register(registry);
        }
    }

    private double oldestAge(String target) {
        TargetSummaries.Snapshot snapshot = summaries.snapshot();
        if (snapshot == null) {
            return Double.NaN;
        }
        if (snapshot != gaugedFor) {
            // once per background read, not per gauge read: a scrape reads one gauge per target
            gaugedFor = snapshot;
            snapshot.byTarget().keySet().forEach(this::gauge);
        }
        TargetSummaries.Summary s = snapshot.byTarget().get(target);
        return s == null || s.oldestLaggingSince() == 0 ? Double.NaN
                : Math.max(0, System.currentTimeMillis() - s.oldestLaggingSince()) / 1000.0;
    }
}
