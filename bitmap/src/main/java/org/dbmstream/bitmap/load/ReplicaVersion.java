package org.dbmstream.bitmap.load;

import org.dbmstream.bitmap.chunk.Chunk;

/**
 * A replica bitmap's version history and freshness (DESIGN.md section 12), kept with its {@link BitmapState}.
 *
 * @param versions      versions this replica has had, the current one included (0 while its first loads)
 * @param madeBy        the migration that made the current version (null: the bitmap's own migration)
 * @param readTime      when the source read the bits of the current version (epoch ms; 0 unknown); while
 *                      loading, of the version on its way
 * @param completedTime when the replica completed the current version (epoch ms; 0 unknown)
 * @param expected      while loading: what its START asked (a delta's base, the announced sha256/count); null
 *                      for QEMU's plain START and once complete
 * @param bytes         BITS payload bytes received for the version loading or last completed
 */
public record ReplicaVersion(long versions, String madeBy, long readTime, long completedTime, Chunk.Version expected,
        long bytes) {

    /** What a bitmap stored before versions were kept has: nothing known. */
    public static final ReplicaVersion NONE = new ReplicaVersion(0, null, 0, 0, null, 0);

    /** A bitmap STARTed with {@code start}'s read time and version record. */
    public static ReplicaVersion started(Chunk.Start start) {
        return new ReplicaVersion(0, null, start.readTime(), 0, start.version(), 0);
    }

    /** Whether this is a loading delta (its bits are staged, to be applied to a base at COMPLETE). */
    public boolean loadingDelta() {
        return expected != null && expected.delta();
    }

    /** After a BITS chunk of {@code payload} bytes. */
    ReplicaVersion received(long payload) {
        return new ReplicaVersion(versions, madeBy, readTime, completedTime, expected, bytes + payload);
    }

    /** Completed at {@code now} as version {@code number}, made by {@code migration} (null: its own). */
    ReplicaVersion completed(long number, String migration, long now) {
        return new ReplicaVersion(number, migration, readTime, now, null, bytes);
    }
}
