package org.dbmstream.bitmap.load;

import java.util.Optional;
import java.util.OptionalInt;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * Where a {@link MigrationTracker} keeps each migration's progress (the topology: a keyed state store):
 * the progress record, the completed bitmaps and the manifest entries, each under its own key.
 */
public interface MigrationProgressStore {

    Optional<MigrationProgress> get(String migration);

    void put(MigrationProgress progress);

    /** The completed bitmap that travelled as {@code ref} in {@code migration}, if it completed. */
    Optional<BitmapNames> completed(String migration, Chunk.BitmapRef ref);

    void putCompleted(BitmapNames names);

    /** Whether the bitmap that travelled as {@code ref} in {@code migration} settled without completing. */
    boolean settled(String migration, Chunk.BitmapRef ref);

    /** Records that the bitmap {@code names} describes settled without completing (refused, removed). */
    void putSettled(BitmapNames names);

    /** Position of {@code ref} in the migration's manifest, if it is listed. */
    OptionalInt manifestIndex(String migration, Chunk.BitmapRef ref);

    /** The manifest entry at {@code index}. */
    Chunk.BitmapRef manifestEntry(String migration, int index);

    void putManifestEntry(String migration, int index, Chunk.BitmapRef ref);
}
