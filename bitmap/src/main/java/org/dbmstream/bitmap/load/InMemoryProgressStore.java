package org.dbmstream.bitmap.load;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A {@link MigrationProgressStore} in memory, for a single process. */
public final class InMemoryProgressStore implements MigrationProgressStore {
    private final Map<String, MigrationProgress> progress = new HashMap<>();

    @Override
    public Optional<MigrationProgress> get(String migration) {
        return Optional.ofNullable(progress.get(migration));
    }

    @Override
    public void put(MigrationProgress p) {
        progress.put(p.migration(), p);
    }
}
