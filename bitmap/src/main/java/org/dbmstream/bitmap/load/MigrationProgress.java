package org.dbmstream.bitmap.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * One migration's progress as its {@link MigrationTracker} keeps it: status (with the reason of a cancel
 * or fail), the EndOfStream manifest once it arrived (null before), and the bitmaps that completed.
 */
public record MigrationProgress(String migration, String target, MigrationStatus status, String reason,
        List<Chunk.BitmapRef> manifest, List<BitmapNames> completed) {

    public MigrationProgress {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(status, "status");
        manifest = manifest == null ? null : List.copyOf(manifest);
        completed = List.copyOf(completed);
    }

    static MigrationProgress fresh(String migration, String target) {
        return new MigrationProgress(migration, target, MigrationStatus.ACTIVE, null, null, List.of());
    }

    MigrationProgress withStatus(MigrationStatus next, String why) {
        return new MigrationProgress(migration, target, next, why, manifest, completed);
    }

    MigrationProgress withManifest(List<Chunk.BitmapRef> bitmaps) {
        return new MigrationProgress(migration, target, status, reason, bitmaps, completed);
    }

    MigrationProgress withCompleted(BitmapNames names) {
        Map<Chunk.BitmapRef, BitmapNames> byRef = new LinkedHashMap<>();
        for (BitmapNames n : completed) {
            byRef.put(n.ref(), n);
        }
        byRef.put(names.ref(), names);
        return new MigrationProgress(migration, target, status, reason, manifest, List.copyOf(byRef.values()));
    }
}
