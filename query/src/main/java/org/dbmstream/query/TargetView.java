package org.dbmstream.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One target as {@code GET /v1/targets} lists it: how many bitmaps the replica holds for it, how many of them are
 * complete and how many still loading, and when the destination last changed any of them ({@code updated}, ISO-8601
 * UTC; null if no bitmap recorded it). Instances' answers are merged with {@link #plus}.
 */
@JsonPropertyOrder({"target", "bitmaps", "complete", "loading", "updated"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TargetView(String target, long bitmaps, long complete, long loading, String updated) {

    static TargetView of(BitmapView b) {
        return new TargetView(b.target(), 1, b.complete() ? 1 : 0, b.complete() ? 0 : 1, b.updated());
    }

    /** This target's counts with another instance's (or another bitmap's) added. */
    TargetView plus(TargetView o) {
        return new TargetView(target, bitmaps + o.bitmaps, complete + o.complete, loading + o.loading,
                later(updated, o.updated));
    }

    /** The later of two ISO-8601 UTC instants (either may be null). */
    private static String later(String a, String b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return java.time.Instant.parse(a).isAfter(java.time.Instant.parse(b)) ? a : b;
    }
}
