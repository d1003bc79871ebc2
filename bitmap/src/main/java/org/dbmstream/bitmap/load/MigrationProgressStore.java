package org.dbmstream.bitmap.load;

import java.util.Optional;

/** Where a {@link MigrationTracker} keeps each migration's progress (the topology: a keyed state store). */
public interface MigrationProgressStore {

    Optional<MigrationProgress> get(String migration);

    void put(MigrationProgress progress);
}
