package org.dbmstream.bitmap.load;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.dbmstream.bitmap.chunk.Chunk;

/** A {@link MigrationProgressStore} in memory, for a single process. */
public final class InMemoryProgressStore implements MigrationProgressStore {
    private final Map<String, MigrationProgress> progress = new HashMap<>();
    private final Map<List<Object>, BitmapNames> completed = new HashMap<>();
    private final Map<List<Object>, Integer> manifestIndex = new HashMap<>();
    private final Map<List<Object>, Chunk.BitmapRef> manifest = new HashMap<>();
    private final java.util.Set<List<Object>> settled = new java.util.HashSet<>();

    @Override
    public boolean settled(String migration, Chunk.BitmapRef ref) {
        return settled.contains(List.of(migration, ref));
    }

    @Override
    public void putSettled(BitmapNames names) {
        settled.add(List.of(names.migration(), names.ref()));
    }

    @Override
    public Optional<MigrationProgress> get(String migration) {
        return Optional.ofNullable(progress.get(migration));
    }

    @Override
    public void put(MigrationProgress p) {
        progress.put(p.migration(), p);
    }

    @Override
    public Optional<BitmapNames> completed(String migration, Chunk.BitmapRef ref) {
        return Optional.ofNullable(completed.get(List.of(migration, ref)));
    }

    @Override
    public void putCompleted(BitmapNames names) {
        completed.put(List.of(names.migration(), names.ref()), names);
    }

    @Override
    public OptionalInt manifestIndex(String migration, Chunk.BitmapRef ref) {
        Integer i = manifestIndex.get(List.of(migration, ref));
        return i == null ? OptionalInt.empty() : OptionalInt.of(i);
    }

    @Override
    public Chunk.BitmapRef manifestEntry(String migration, int index) {
        return manifest.get(List.of(migration, index));
    }

    @Override
    public void putManifestEntry(String migration, int index, Chunk.BitmapRef ref) {
        manifest.put(List.of(migration, index), ref);
        manifestIndex.put(List.of(migration, ref), index);
    }
}
