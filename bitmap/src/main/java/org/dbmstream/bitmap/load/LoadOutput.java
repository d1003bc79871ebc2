package org.dbmstream.bitmap.load;

/** Receives what loading a chunk produced: events for the outside world and facts for the migration. */
public interface LoadOutput {

    void event(LoadEvent event);

    void fact(MigrationFact fact);

    /**
     * The migration switched over where this chunk was loaded: every place loading its bitmaps must apply
     * {@link BitmapLoader#switchover} (the topology broadcasts it, as a cancel).
     */
    void switchedOver(Migration migration);

    /**
     * A completed bitmap was removed here in the course of loading (a removal START): every place holding
     * bitmaps must free its name (the topology broadcasts it, as the query API's DELETE). Default: nothing.
     */
    default void removed(BitmapNames names) {
    }

    /**
     * The chunk was ignored, for the reason {@code why} (e.g. a chunk after its bitmap's COMPLETE): the caller,
     * which knows where the chunk came from, says so.
     */
    default void ignored(Migration migration, String why) {
    }
}
