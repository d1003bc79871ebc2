package org.dbmstream.topology.record;

import java.util.Objects;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.MigrationControl;

/**
 * A record of the control topic, broadcast to every partition so that each loading task learns it: a
 * migration's spec (or its removal), the decision that a migration is cancelled or failed, or that a
 * bitmap name on a target is taken by a completed bitmap (a later START of it fails as "already exists",
 * whichever partition it arrives on), that a completed bitmap is removed, that a completed bitmap lost the
 * claim of its name and is revoked, that a migration switched over (its destination VM started), or a
 * destination write (every partition may hold recording bitmaps of the written node), or a write barrier
 * (every partition answers once it applied the writes before it).
 */
public sealed interface Control permits Control.Spec, Control.SpecRemoved, Control.Stop, Control.BitmapTaken,
        Control.BitmapRemoval, Control.Revoke, Control.Switchover, Control.Write, Control.Barrier {

    String migration();

    /** The migration's spec arrived or changed. */
    record Spec(SpecRecord spec) implements Control {
        public Spec {
            Objects.requireNonNull(spec, "spec");
        }

        @Override
        public String migration() {
            return spec.migration();
        }
    }

    /** The migration's spec was deleted (a tombstone on the migrations topic). */
    record SpecRemoved(String migration) implements Control {
        public SpecRemoved {
            Objects.requireNonNull(migration, "migration");
        }
    }

    /** The migration is cancelled or failed: drop its unfinished bitmaps, ignore its later chunks. */
    record Stop(MigrationControl control) implements Control {
        public Stop {
            Objects.requireNonNull(control, "control");
        }

        @Override
        public String migration() {
            return control.migration();
        }
    }

    /** A bitmap completed: its name on its target's node is taken. */
    record BitmapTaken(BitmapNames names) implements Control {
        public BitmapTaken {
            Objects.requireNonNull(names, "names");
        }

        @Override
        public String migration() {
            return names.migration();
        }
    }

    /**
     * A completed bitmap is to be removed (the query API's DELETE, like QMP {@code block-dirty-bitmap-remove}):
     * the partition holding it drops it and reports BitmapRemoved; every partition frees its name.
     */
    record BitmapRemoval(BitmapNames names) implements Control {
        public BitmapRemoval {
            Objects.requireNonNull(names, "names");
        }

        @Override
        public String migration() {
            return names.migration();
        }
    }

    /** The migration's destination VM started: its enabled bitmaps and successors record writes. */
    record Switchover(String migration, String target) implements Control {
        public Switchover {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * A write on node {@code node} of {@code target}: {@code length} bytes at {@code offset}, made after the
     * switchover of {@code migration} when the writer knows it (else empty).
     */
    record Write(String migration, String target, String node, long offset, long length) implements Control {
        public Write {
            migration = migration == null ? "" : migration;
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * A write barrier of {@code migration} on {@code target}: every partition answers with WritesApplied once
     * it applied the writes that came before it (held ones included, at the switchover).
     */
    record Barrier(String migration, String target, String barrier) implements Control {
        public Barrier {
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(barrier, "barrier");
        }
    }

    /**
     * The bitmap completed on its partition but another migration holds its name (NameClaimProcessor):
     * the partition holding it drops it and reports it cancelled with {@code reason}.
     */
    record Revoke(BitmapNames names, String reason) implements Control {
        public Revoke {
            Objects.requireNonNull(names, "names");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String migration() {
            return names.migration();
        }
    }
}
