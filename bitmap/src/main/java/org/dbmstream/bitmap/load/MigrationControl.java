package org.dbmstream.bitmap.load;

import java.util.Objects;

/**
 * The decision that a migration is cancelled or failed, to be applied wherever its bitmaps load
 * ({@link BitmapLoader#stop}): drop the unfinished ones and ignore later chunks.
 */
public record MigrationControl(String migration, LoadError error) {

    public MigrationControl {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(error, "error");
    }
}
