package org.dbmstream.bitmap.load;

import java.util.List;
import java.util.Objects;
import org.dbmstream.bitmap.Granularity;

/**
 * What the destination reports (DESIGN.md section 6): bitmap started, completed (with QEMU's count and
 * sha256) or cancelled; migration completed, cancelled or failed. Every event names the migration and
 * target; bitmap events also the node and bitmap, resolved and as aliased.
 */
public sealed interface LoadEvent permits LoadEvent.OfBitmap, LoadEvent.MigrationCompleted,
        LoadEvent.MigrationCancelled, LoadEvent.MigrationFailed, LoadEvent.SwitchedOver, LoadEvent.WritesApplied {

    String migration();

    String target();

    /** An event about one bitmap. */
    sealed interface OfBitmap extends LoadEvent permits BitmapStarted, BitmapCompleted, BitmapCancelled,
            BitmapUpdated, BitmapRemoved {
        BitmapNames names();

        @Override
        default String migration() {
            return names().migration();
        }

        @Override
        default String target() {
            return names().target();
        }
    }

    /** START created the bitmap (disabled; {@code size} -1 when unknown). */
    record BitmapStarted(BitmapNames names, Granularity granularity, long size, boolean enabled,
            boolean persistent) implements OfBitmap {
        public BitmapStarted {
            Objects.requireNonNull(names, "names");
            Objects.requireNonNull(granularity, "granularity");
        }
    }

    /**
     * COMPLETE finished the bitmap; {@code chunks} counts the BITS chunks applied; {@code version} says which
     * version of the replica it made (a delta's base and changed chunks, the version count, freshness).
     */
    record BitmapCompleted(BitmapNames names, Granularity granularity, long size, boolean enabled,
            boolean persistent, long count, String sha256, long chunks, VersionInfo version) implements OfBitmap {
        public BitmapCompleted {
            Objects.requireNonNull(names, "names");
            Objects.requireNonNull(granularity, "granularity");
            Objects.requireNonNull(sha256, "sha256");
            version = version == null ? VersionInfo.NONE : version;
        }

        /** A completion that says nothing of versions. */
        public BitmapCompleted(BitmapNames names, Granularity granularity, long size, boolean enabled,
                boolean persistent, long count, String sha256, long chunks) {
            this(names, granularity, size, enabled, persistent, count, sha256, chunks, VersionInfo.NONE);
        }
    }

    /**
     * Which version of a replica a completion made (DESIGN.md section 12).
     *
     * @param base          a delta's base sha256; null for a whole bitmap
     * @param changedChunks a delta's chunks (-1 for a whole bitmap)
     * @param versions      versions of the replica with this one (0 unknown)
     * @param readTime      when the source read the bits (epoch ms, 0 unknown)
     * @param bytes         BITS payload bytes received for it (-1 unknown)
     * @param owner         a delta: the migration whose stored bitmap it changed in place (its name's holder);
     *                      null otherwise
     */
    public record VersionInfo(String base, long changedChunks, long versions, long readTime, long bytes,
            String owner) {
        public static final VersionInfo NONE = new VersionInfo(null, -1, 0, 0, -1, null);

        public boolean delta() {
            return base != null;
        }
    }

    /**
     * A completed bitmap changed after its completion: destination writes set bits in it, or the
     * switchover enabled it ({@code recording}). Count and sha256 are QEMU's for the bitmap as it is now.
     */
    record BitmapUpdated(BitmapNames names, boolean enabled, boolean recording, long count, String sha256)
            implements OfBitmap {
        public BitmapUpdated {
            Objects.requireNonNull(names, "names");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * An unfinished bitmap was dropped because its migration was cancelled or failed, or ({@code refused}) a
     * versioned bitmap was refused on its own (its base is not the replica's version, or its result is not
     * the announced one): nothing changed, and its migration goes on.
     */
    record BitmapCancelled(BitmapNames names, String reason, boolean refused) implements OfBitmap {
        public BitmapCancelled {
            Objects.requireNonNull(names, "names");
            Objects.requireNonNull(reason, "reason");
        }

        public BitmapCancelled(BitmapNames names, String reason) {
            this(names, reason, false);
        }
    }

    /** A completed bitmap was removed from the replica (replaced, removed at the source, or DELETE). */
    record BitmapRemoved(BitmapNames names, String reason) implements OfBitmap {
        public BitmapRemoved {
            Objects.requireNonNull(names, "names");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Every bitmap of the EndOfStream manifest completed; listed in manifest order. */
    record MigrationCompleted(String migration, String target, List<BitmapNames> bitmaps) implements LoadEvent {
        public MigrationCompleted {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(target, "target");
            bitmaps = List.copyOf(bitmaps);
        }
    }

    /** The migration's bitmap loading was cancelled (QEMU's message as reason). */
    record MigrationCancelled(String migration, String target, String reason) implements LoadEvent {
        public MigrationCancelled {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The migration failed (QEMU's message as reason). */
    record MigrationFailed(String migration, String target, String reason) implements LoadEvent {
        public MigrationFailed {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The destination VM started (QEMU's before_vm_start): enabled bitmaps and successors record writes. */
    record SwitchedOver(String migration, String target) implements LoadEvent {
        public SwitchedOver {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * Every destination write published before write barrier {@code barrier} was applied at place
     * {@code partition} (a loading partition): {@code bitmaps} are the migration's completed bitmaps there,
     * as they are now. A source that has this from every place knows the final state of its migration.
     */
    record WritesApplied(String migration, String target, String barrier, int partition, List<BitmapState> bitmaps)
            implements LoadEvent {
        public WritesApplied {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(barrier, "barrier");
            bitmaps = List.copyOf(bitmaps);
        }
    }
}
