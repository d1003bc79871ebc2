package org.dbmstream.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import org.dbmstream.bitmap.load.BitmapPhase;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.bitmap.load.ReplicaVersion;

/**
 * How current a replica bitmap is (DESIGN.md section 12), part of its {@link BitmapView}: how many versions it
 * has had, which migration made the current one, when the source read its bits and when the replica completed
 * them. A completed replica of an <b>enabled</b> bitmap that does not record writes itself is {@code lagging}:
 * its source has gone on recording since it was read, so it is no "changes since the last backup" until a
 * round taken while writes are stopped; {@code age} is how long ago the source read it, in seconds.
 *
 * @param versions      versions of this replica, the current one included (null: kept before versions were)
 * @param lastMigration the migration that made the current version
 * @param sourceRead    when the source read the current version's bits (ISO-8601 UTC; null unknown)
 * @param completed     when the replica completed it (null unknown)
 * @param lagging       whether the replica trails a bitmap that keeps recording
 * @param age           seconds since the source read the bits (else since completion; null unknown)
 */
@JsonPropertyOrder({"versions", "lastMigration", "sourceRead", "completed", "lagging", "age"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Freshness(Long versions, String lastMigration, String sourceRead, String completed, boolean lagging,
        Double age) {

    /** The freshness of {@code s} as of {@code nowMillis}. */
    static Freshness of(BitmapState s, long nowMillis) {
        ReplicaVersion r = s.replica();
        boolean complete = s.phase() == BitmapPhase.COMPLETE;
        long since = r.readTime() > 0 ? r.readTime() : r.completedTime();
        return new Freshness(r.versions() > 0 ? r.versions() : null,
                r.madeBy() != null ? r.madeBy() : s.names().migration(), iso(r.readTime()), iso(r.completedTime()),
                complete && s.enabled() && !s.recording(), complete && since > 0 ? (nowMillis - since) / 1000.0 : null);
    }

    private static String iso(long millis) {
        return millis > 0 ? Instant.ofEpochMilli(millis).toString() : null;
    }
}
