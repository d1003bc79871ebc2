package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;
import org.junit.jupiter.api.Test;

/** The migration tracker: completion from the manifest, in any order, counted once per bitmap. */
class MigrationTrackerTest {
    private final MigrationTracker tracker = new MigrationTracker(new InMemoryProgressStore());
    private final List<LoadEvent> events = new ArrayList<>();

    @Test
    void tenThousandBitmapsCompleteOnceWhateverTheOrder() {
        int n = 10_000;
        List<Chunk.BitmapRef> manifest = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            manifest.add(new Chunk.BitmapRef("disk" + (i % 7), "b" + i));
        }
        for (int i = 0; i < n / 2; i++) {
            done(manifest.get(i));
            done(manifest.get(i));
        }
        List<Chunk.BitmapRef> withDuplicate = new ArrayList<>(manifest);
        withDuplicate.add(manifest.get(0));
        tracker.apply(new MigrationFact.Manifest("m1", "vm1", withDuplicate), events::add);
        for (int i = n - 1; i >= n / 2; i--) {
            assertThat(events).isEmpty();
            done(manifest.get(i));
        }
        assertThat(events).singleElement().isInstanceOfSatisfying(LoadEvent.MigrationCompleted.class,
                c -> assertThat(c.bitmaps()).extracting(BitmapNames::ref).containsExactlyElementsOf(manifest));
        assertThat(tracker.progress("m1")).map(MigrationProgress::status).contains(MigrationStatus.COMPLETED);
    }

    @Test
    void bitmapsOutsideTheManifestDoNotCount() {
        Chunk.BitmapRef a = new Chunk.BitmapRef("disk0", "a");
        tracker.apply(new MigrationFact.Manifest("m1", "vm1", List.of(a)), events::add);
        done(new Chunk.BitmapRef("disk0", "other"));
        assertThat(events).isEmpty();
        done(a);
        assertThat(events).hasSize(1);
    }

    @Test
    void aCancelledMigrationNeverCompletes() {
        Chunk.BitmapRef a = new Chunk.BitmapRef("disk0", "a");
        tracker.apply(new MigrationFact.Stopped("m1", "vm1", LoadError.nameNotSet()), events::add);
        tracker.apply(new MigrationFact.Manifest("m1", "vm1", List.of(a)), events::add);
        done(a);
        assertThat(events).containsExactly(new LoadEvent.MigrationCancelled("m1", "vm1",
                "Error: block device name is not set"));
    }

    private void done(Chunk.BitmapRef ref) {
        tracker.apply(new MigrationFact.BitmapDone(new BitmapNames("m1", "vm1", ref.nodeAlias(), ref.nodeAlias(),
                ref.bitmapAlias(), ref.bitmapAlias())), events::add);
    }
}
