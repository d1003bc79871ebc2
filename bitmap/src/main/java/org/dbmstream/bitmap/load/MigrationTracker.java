package org.dbmstream.bitmap.load;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * Decides each migration's outcome from the facts its bitmaps report, wherever they load: the first
 * cancel makes it cancelled, a fail makes it failed (also after a cancel: the migration as a whole
 * failed), and it completes when every bitmap of its EndOfStream manifest completed or settled on its own
 * (a refused delta, a removal: DESIGN.md section 12). Each outcome is
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
            progress = manifest(progress, manifest.bitmaps());
        } else if (fact instanceof MigrationFact.BitmapSettled settled) {
            progress = settled(progress, settled.names());
        } else {
            progress = done(progress, ((MigrationFact.BitmapDone) fact).names());
        }
        if (progress != null) {
            store.put(completeIfDone(progress, events));
        }
        return Optional.empty();
    }

    /** Records the manifest (the first one wins); null when nothing changed. */
    private MigrationProgress manifest(MigrationProgress progress, List<Chunk.BitmapRef> bitmaps) {
        if (progress.hasManifest()) {
            return null;
        }
        Set<Chunk.BitmapRef> unique = new LinkedHashSet<>(bitmaps);
        int index = 0;
        int done = 0;
        for (Chunk.BitmapRef ref : unique) {
            store.putManifestEntry(progress.migration(), index++, ref);
            if (store.completed(progress.migration(), ref).isPresent() || store.settled(progress.migration(), ref)) {
                done++;
            }
        }
        return progress.withManifest(unique.size(), done);
    }

    /** Records a bitmap settled without completing (refused, removed); null when it was known already. */
    private MigrationProgress settled(MigrationProgress progress, BitmapNames names) {
        if (store.completed(progress.migration(), names.ref()).isPresent()
                || store.settled(progress.migration(), names.ref())) {
            return null;
        }
        store.putSettled(names);
        return counted(progress, names);
    }

    /** Records a completed bitmap; null when it was known already. */
    private MigrationProgress done(MigrationProgress progress, BitmapNames names) {
        if (store.completed(progress.migration(), names.ref()).isPresent()
                || store.settled(progress.migration(), names.ref())) {
            return null;
        }
        store.putCompleted(names);
        return counted(progress, names);
    }

    private MigrationProgress counted(MigrationProgress progress, BitmapNames names) {
        if (progress.hasManifest() && store.manifestIndex(progress.migration(), names.ref()).isPresent()) {
            return progress.withOneMoreDone();
        }
        return progress;
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

    private MigrationProgress completeIfDone(MigrationProgress progress, Consumer<LoadEvent> events) {
        if (progress.status() != MigrationStatus.ACTIVE || !progress.hasManifest()
                || progress.manifestDone() < progress.manifestSize()) {
            return progress;
        }
        List<BitmapNames> bitmaps = new ArrayList<>(progress.manifestSize());
        for (int i = 0; i < progress.manifestSize(); i++) {
            Chunk.BitmapRef ref = store.manifestEntry(progress.migration(), i);
            if (store.settled(progress.migration(), ref)) {
                continue; // refused or removed: listed by its own event, not as completed
            }
            bitmaps.add(store.completed(progress.migration(), ref).orElseThrow(() -> new IllegalStateException(
                    "manifest bitmap " + ref + " of migration " + progress.migration() + " counted but not completed")));
        }
        events.accept(new LoadEvent.MigrationCompleted(progress.migration(), progress.target(), bitmaps));
        return progress.withStatus(MigrationStatus.COMPLETED, null);
    }
}
