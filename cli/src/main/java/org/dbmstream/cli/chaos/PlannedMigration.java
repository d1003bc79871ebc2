package org.dbmstream.cli.chaos;

import java.util.List;
import org.dbmstream.source.MigrationRequest;

/**
 * One migration of a chaos run: what is published, and what the generator knows the destination must
 * report: the outcome and, per bitmap, its destination names with sha256 and count.
 */
record PlannedMigration(MigrationRequest request, Outcome expected, List<Bitmap> bitmaps) {

    String id() {
        return request.migrationId();
    }

    /** The outcome the destination must report. */
    enum Outcome {
        COMPLETED,
        /** cancelled on purpose (the destination mapping lacks the node alias) */
        CANCELLED,
        /** its publisher was killed mid-way and it was retried with the same id: completes exactly or fails with a reason */
        COMPLETED_OR_FAILED
    }

    /** A bitmap as the destination names it, with the generator's sha256 and count. */
    record Bitmap(String node, String name, String sha256, long count) {
    }
}
