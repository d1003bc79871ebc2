package org.dbmstream.bitmap.load;

import java.util.List;
import java.util.Objects;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * What loading bitmaps tells the migration as a whole: the manifest of bitmaps sent, a bitmap done, or
 * loading stopped. Where one migration's bitmaps load in several places (partitions), these facts are
 * gathered in one place per migration ({@link MigrationTracker}).
 */
public sealed interface MigrationFact permits MigrationFact.Manifest, MigrationFact.BitmapDone, MigrationFact.Stopped,
        MigrationFact.BitmapSettled {

    String migration();

    String target();

    /** The final EndOfStream's list of the bitmaps the migration sent (aliases). */
    record Manifest(String migration, String target, List<Chunk.BitmapRef> bitmaps) implements MigrationFact {
        public Manifest {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(target, "target");
            bitmaps = List.copyOf(bitmaps);
        }
    }

    /**
     * A bitmap of the migration completed. {@code owner}: a delta, applied in place to the bitmap that
     * migration stored (the name stays its holder's); null for a bitmap that is its own.
     */
    record BitmapDone(BitmapNames names, String owner) implements MigrationFact {
        public BitmapDone {
            Objects.requireNonNull(names, "names");
        }

        public BitmapDone(BitmapNames names) {
            this(names, null);
        }

        @Override
        public String migration() {
            return names.migration();
        }

        @Override
        public String target() {
            return names.target();
        }
    }

    /** Loading stopped: a cancel or a fail, with QEMU's message. */
    record Stopped(String migration, String target, LoadError error) implements MigrationFact {
        public Stopped {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * A bitmap of the migration settled without completing, on its own: a refused delta or checked version,
     * or a removal. It counts as done for the manifest; the migration goes on.
     */
    record BitmapSettled(BitmapNames names, String note) implements MigrationFact {
        public BitmapSettled {
            Objects.requireNonNull(names, "names");
            Objects.requireNonNull(note, "note");
        }

        @Override
        public String migration() {
            return names.migration();
        }

        @Override
        public String target() {
            return names.target();
        }
    }
}
