package org.dbmstream.bitmap.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * Decides each migration's outcome from the facts its bitmaps report, wherever they load: the first
 * cancel makes it cancelled, a fail makes it failed (also after a cancel: the migration as a whole
 * failed), and it completes when every bitmap of its EndOfStream manifest completed. Each outcome is
 * reported once. A cancel or fail comes back as a {@link MigrationControl} to apply everywhere.
 */
public final class MigrationTracker {
    private final MigrationProgressStore store;

    public MigrationTracker(MigrationProgressStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Applies {@code fact}; migration events go to {@code events}. Returns the decision to broadcast when
     * the migration just became cancelled or failed.
     */
    public Optional<MigrationControl> apply(MigrationFact fact, Consumer<LoadEvent> events) {
        MigrationProgress progress = store.get(fact.migration())
                .orElseGet(() -> MigrationProgress.fresh(fact.migration(), fact.target()));
        if (fact instanceof MigrationFact.Stopped stopped) {
            return stop(progress, stopped.error(), events);
        }
        if (fact instanceof MigrationFact.Manifest manifest) {
            if (progress.manifest() == null) {
                progress = progress.withManifest(manifest.bitmaps());
            }
        } else {
            progress = progress.withCompleted(((MigrationFact.BitmapDone) fact).names());
        }
        store.put(completeIfDone(progress, events));
        return Optional.empty();
    }

    /** The current progress of {@code migration}, if any fact about it arrived. */
    public Optional<MigrationProgress> progress(String migration) {
        return store.get(migration);
    }

    private Optional<MigrationControl> stop(MigrationProgress progress, LoadError error, Consumer<LoadEvent> events) {
        MigrationStatus status = progress.status();
        boolean takes = error.consequence() == Consequence.FAIL
                ? status == MigrationStatus.ACTIVE || status == MigrationStatus.CANCELLED
                : status == MigrationStatus.ACTIVE;
        if (!takes) {
            return Optional.empty();
        }
        if (error.consequence() == Consequence.FAIL) {
            store.put(progress.withStatus(MigrationStatus.FAILED, error.message()));
            events.accept(new LoadEvent.MigrationFailed(progress.migration(), progress.target(), error.message()));
        } else {
            store.put(progress.withStatus(MigrationStatus.CANCELLED, error.message()));
            events.accept(new LoadEvent.MigrationCancelled(progress.migration(), progress.target(), error.message()));
        }
        return Optional.of(new MigrationControl(progress.migration(), error));
    }

    private static MigrationProgress completeIfDone(MigrationProgress progress, Consumer<LoadEvent> events) {
        if (progress.status() != MigrationStatus.ACTIVE || progress.manifest() == null) {
            return progress;
        }
        Map<Chunk.BitmapRef, BitmapNames> done = new HashMap<>();
        for (BitmapNames n : progress.completed()) {
            done.put(n.ref(), n);
        }
        List<BitmapNames> bitmaps = new ArrayList<>();
        for (Chunk.BitmapRef ref : progress.manifest()) {
            BitmapNames n = done.get(ref);
            if (n == null) {
                return progress;
            }
            bitmaps.add(n);
        }
        events.accept(new LoadEvent.MigrationCompleted(progress.migration(), progress.target(), bitmaps));
        return progress.withStatus(MigrationStatus.COMPLETED, null);
    }
}
