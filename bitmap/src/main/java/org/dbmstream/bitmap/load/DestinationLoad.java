package org.dbmstream.bitmap.load;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * QEMU's destination in one place: a {@link BitmapLoader} and a {@link MigrationTracker} wired together
 * directly, so that a cancel or fail applies at once. The topology splits the two across partitions and
 * wires them through topics; this is the same state machine for a single process. A switchover applies
 * at once, so here writes are never early.
 */
public final class DestinationLoad {
    private final BitmapLoader loader;
    private final MigrationTracker tracker;

    public DestinationLoad(LoadStore store, MigrationProgressStore progress) {
        this.loader = new BitmapLoader(store);
        this.tracker = new MigrationTracker(progress);
    }

    /** A destination keeping everything in memory. */
    public static DestinationLoad inMemory() {
        return new DestinationLoad(new InMemoryLoadStore(), new InMemoryProgressStore());
    }

    /** Loads one chunk of {@code migration} and returns the events it caused, in order. */
    public List<LoadEvent> accept(Migration migration, Chunk chunk) {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(chunk, "chunk");
        Collector out = new Collector();
        loader.accept(migration, chunk, out);
        return settle(out);
    }

    /** A read error of the migration's stream: the migration fails. */
    public List<LoadEvent> streamError(Migration migration, String detail) {
        Collector out = new Collector();
        loader.streamError(migration, detail, out);
        return settle(out);
    }

    /**
     * A write on the destination (after the switchover): sets bits in the node's recording bitmaps. Here
     * every write is its own flush, so a completed bitmap it changes reports BitmapUpdated at once.
     */
    public List<LoadEvent> write(String target, String node, long offset, long length) {
        Collector out = new Collector();
        loader.write(target, node, offset, length, out);
        loader.flushUpdates(out);
        return settle(out);
    }

    /** Passes the loader's facts to the tracker and its decisions back to the loader. */
    private List<LoadEvent> settle(Collector out) {
        while (!out.switchovers.isEmpty()) {
            loader.switchover(out.switchovers.poll().id(), out);
        }
        while (!out.facts.isEmpty()) {
            Optional<MigrationControl> control = tracker.apply(out.facts.poll(), out.events::add);
            control.ifPresent(c -> loader.stop(c, out));
        }
        return out.events;
    }

    /** Loads chunks in order and returns all events. */
    public List<LoadEvent> acceptAll(Migration migration, Iterable<? extends Chunk> chunks) {
        List<LoadEvent> events = new ArrayList<>();
        for (Chunk chunk : chunks) {
            events.addAll(accept(migration, chunk));
        }
        return events;
    }

    /** The progress of {@code migration}, once any fact about it arrived. */
    public Optional<MigrationProgress> progress(String migration) {
        return tracker.progress(migration);
    }

    private static final class Collector implements LoadOutput {
        private final List<LoadEvent> events = new ArrayList<>();
        private final Deque<MigrationFact> facts = new ArrayDeque<>();
        private final Deque<Migration> switchovers = new ArrayDeque<>();

        @Override
        public void switchedOver(Migration migration) {
            switchovers.add(migration);
        }

        @Override
        public void event(LoadEvent event) {
            events.add(event);
        }

        @Override
        public void fact(MigrationFact fact) {
            facts.add(fact);
        }
    }
}
