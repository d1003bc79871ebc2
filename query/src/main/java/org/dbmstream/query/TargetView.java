package org.dbmstream.query;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.Comparator;
import java.util.function.BinaryOperator;

/**
 * One target as {@code GET /v1/targets} shows it: {@code bitmaps} counted from the query index at the moment of the
 * request, and beside it what those bitmaps are doing, from the last background read of their metadata
 * ({@link TargetSummaries}, at most about {@value TargetSummaries#REFRESH_S} s old, {@code summaryAt} says when):
 * how many are {@code complete}, {@code loading} and {@code lagging} (completed replicas of enabled bitmaps, whose
 * sources have recorded writes since they were read), {@code lagAge} the age in seconds of the oldest lagging
 * replica's bits and {@code lastCompleted} when the newest version of any of them completed. {@code state} sums it up:
 * {@code loading} while any loads, else {@code lagging} while any lags, else {@code current}. The summary fields are
 * null until an instance has read the target's bitmaps once (a second or so after they came).
 */
@JsonPropertyOrder({"target", "bitmaps", "state", "complete", "loading", "lagging", "lagAge", "lastCompleted",
    "summaryAt"})
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TargetView(String target, long bitmaps, Long complete, Long loading, Long lagging, Double lagAge,
        String lastCompleted, String summaryAt) {

    /** Name order. */
    static final Comparator<TargetView> ORDER = Comparator.comparing(TargetView::target);

    /**
     * This instance's view of {@code target}: its count, and its summary from {@code snapshot}; none (null fields)
     * before the first read, or when the target's bitmaps came after the last read.
     */
    static TargetView of(String target, long bitmaps, TargetSummaries.Snapshot snapshot, long nowMillis) {
        TargetSummaries.Summary s = snapshot == null ? null : snapshot.byTarget().get(target);
        if (s == null) {
            return new TargetView(target, bitmaps, null, null, null, null, null, null);
        }
        return new TargetView(target, bitmaps, s.complete(), s.loading(), s.lagging(),
                s.oldestLaggingSince() > 0 ? Math.max(0, nowMillis - s.oldestLaggingSince()) / 1000.0 : null,
                iso(s.lastCompleted()), iso(snapshot.at()));
    }

    /** {@code loading}, {@code lagging} or {@code current}; null without a summary. */
    @JsonProperty("state")
    public String state() {
        if (complete == null) {
            return null;
        }
        return loading > 0 ? "loading" : lagging > 0 ? "lagging" : "current";
    }

    /**
     * The view of two instances' bitmaps of the same target: counts added, the older lag and the newer completion;
     * the summary of the instance that has one when the other has none yet, dated by the older read.
     */
    TargetView merge(TargetView o) {
        if (o.complete == null || complete == null) {
            TargetView with = complete != null ? this : o;
            return new TargetView(target, bitmaps + o.bitmaps, with.complete, with.loading, with.lagging, with.lagAge,
                    with.lastCompleted, with.summaryAt);
        }
        return new TargetView(target, bitmaps + o.bitmaps, complete + o.complete, loading + o.loading,
                lagging + o.lagging, pick(lagAge, o.lagAge, Math::max), pick(lastCompleted, o.lastCompleted,
                        (a, b) -> Instant.parse(a).isAfter(Instant.parse(b)) ? a : b),
                pick(summaryAt, o.summaryAt, (a, b) -> Instant.parse(a).isBefore(Instant.parse(b)) ? a : b));
    }

    private static <T> T pick(T a, T b, BinaryOperator<T> both) {
        return a == null ? b : b == null ? a : both.apply(a, b);
    }

    private static String iso(long millis) {
        return millis > 0 ? Instant.ofEpochMilli(millis).toString() : null;
    }
}
