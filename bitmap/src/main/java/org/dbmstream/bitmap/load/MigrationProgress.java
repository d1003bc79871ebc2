package org.dbmstream.bitmap.load;

import java.util.Objects;

/**
 * One migration's progress as its {@link MigrationTracker} keeps it: status (with the reason of a cancel
 * or fail), the size of the EndOfStream manifest once it arrived (-1 before) and how many of the
 * manifest's bitmaps completed. The manifest entries and completed bitmaps themselves are kept apart,
 * one entry each, so that a fact costs the same for a migration of one bitmap or of ten thousand.
 */
public record MigrationProgress(String migration, String target, MigrationStatus status, String reason,
        int manifestSize, int manifestDone) {

    public MigrationProgress {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(status, "status");
    }

    static MigrationProgress fresh(String migration, String target) {
        return new MigrationProgress(migration, target, MigrationStatus.ACTIVE, null, -1, 0);
    }

    /** Whether the EndOfStream manifest arrived. */
    public boolean hasManifest() {
        return manifestSize >= 0;
    }

    MigrationProgress withStatus(MigrationStatus next, String why) {
        return new MigrationProgress(migration, target, next, why, manifestSize, manifestDone);
    }

    MigrationProgress withManifest(int size, int done) {
        return new MigrationProgress(migration, target, status, reason, size, done);
    }

    MigrationProgress withOneMoreDone() {
        return new MigrationProgress(migration, target, status, reason, manifestSize, manifestDone + 1);
    }
}
