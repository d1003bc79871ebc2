package org.dbmstream.cli.chaos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of a chaos run, printed as one JSON line. {@link #passed()} says whether it passed: no
 * migration unfinished, nothing lost, duplicated, mismatched or wrongly ended, and (when those phases ran)
 * no wrong answer of the query API and no bitmap that differs after a lost volume.
 */
record ChaosResult(int migrations, int bitmaps, int kills, int publisherKills, int publishRetries,
        int destinationErrors, long unfinished, ChaosTally.Counts counts, ChaosBrokers.Figures brokers,
        double[] latencySeconds, List<DestinationFleet.ScaleStep> scaling, QueryFailover.Figures queries,
        LostVolume.Figures lostVolume, long seed, double seconds, Map<String, Object> sync) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A run of migrations (no sync rounds). */
    ChaosResult(int migrations, int bitmaps, int kills, int publisherKills, int publishRetries,
            int destinationErrors, long unfinished, ChaosTally.Counts counts, ChaosBrokers.Figures brokers,
            double[] latencySeconds, List<DestinationFleet.ScaleStep> scaling, QueryFailover.Figures queries,
            LostVolume.Figures lostVolume, long seed, double seconds) {
        this(migrations, bitmaps, kills, publisherKills, publishRetries, destinationErrors, unfinished, counts, brokers,
                latencySeconds, scaling, queries, lostVolume, seed, seconds, null);
    }

    /** The same figures with a {@code --sync} run's own (targets, rounds, migrations, deltas, fallbacks). */
    ChaosResult withSync(Map<String, Object> figures) {
        return new ChaosResult(migrations, bitmaps, kills, publisherKills, publishRetries, destinationErrors, unfinished,
                counts, brokers, latencySeconds, scaling, queries, lostVolume, seed, seconds, figures);
    }

    /** The same figures with {@code seconds} replaced (the command's whole wall time, stopping included). */
    ChaosResult withSeconds(double wall) {
        return new ChaosResult(migrations, bitmaps, kills, publisherKills, publishRetries, destinationErrors, unfinished,
                counts, brokers, latencySeconds, scaling, queries, lostVolume, seed, wall, sync);
    }

    boolean passed() {
        return counts.clean() && unfinished == 0 && (queries == null || queries.wrong() == 0)
                && (lostVolume == null || lostVolume.differ() == 0 && lostVolume.missing() == 0);
    }

    /** The JSON line: counters first, then the brokers', then the optional phases'. */
    String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("migrations", migrations);
        m.put("bitmaps", bitmaps);
        m.put("kills", kills);
        m.put("broker_restarts", brokers.restarts());
        m.put("publisher_kills", publisherKills);
        m.put("publish_retries", publishRetries);
        m.put("destination_errors", destinationErrors);
        m.put("unfinished", unfinished);
        m.put("lost", counts.lost);
        m.put("duplicated", counts.duplicated);
        m.put("mismatched", counts.mismatched);
        m.put("wrong_outcome", counts.wrongOutcome);
        m.put("brokers", brokers.brokers());
        m.put("broker_kills", brokers.kills());
        m.put("controller_kills", brokers.controllerKills());
        m.put("brokers_replaced", brokers.replaced());
        m.put("partitions_reassigned", brokers.partitionsReassigned());
        m.put("topics_checked", brokers.topics());
        m.put("topics_below_rf3_isr2", brokers.topicsBelowPolicy());
        m.put("final_event_latency_s", percentiles(latencySeconds));
        if (!scaling.isEmpty()) {
            m.put("scaling", scaling.stream().map(ChaosResult::step).toList());
        }
        if (queries != null) {
            m.put("queries", queries.json());
        }
        if (lostVolume != null) {
            m.put("lost_volume", lostVolume.json());
        }
        if (sync != null) {
            m.putAll(sync);
        }
        m.put("seed", seed);
        m.put("seconds", round(seconds));
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One scaling step's figures, in the order the README's table names them. */
    private static Map<String, Object> step(DestinationFleet.ScaleStep s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", s.from());
        m.put("to", s.to());
        m.put("at_s", round(s.startedAt()));
        m.put("ready_s", round(s.readySeconds()));
        m.put("longest_event_gap_s", round(s.longestEventGap()));
        return m;
    }

    /** p50, p99 and max of {@code values} (seconds), rounded to 0.1 s; empty values give an empty object. */
    static Map<String, Object> percentiles(double[] values) {
        if (values.length == 0) {
            return Map.of();
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", round(at(sorted, 0.50)));
        m.put("p99", round(at(sorted, 0.99)));
        m.put("max", round(sorted[sorted.length - 1]));
        return m;
    }

    /** The nearest-rank percentile of sorted values. */
    private static double at(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
