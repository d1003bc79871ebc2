package org.dbmstream.bitmap.load;

/** Receives what loading a chunk produced: events for the outside world and facts for the migration. */
public interface LoadOutput {

    void event(LoadEvent event);

    void fact(MigrationFact fact);
}
