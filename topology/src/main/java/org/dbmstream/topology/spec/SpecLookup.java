package org.dbmstream.topology.spec;

import org.dbmstream.topology.record.SpecRecord;

/**
 * Where a loading task may find a migration's spec before the spec's control record reaches its
 * partition ({@link SpecWatcher}). A hint only: the control record still comes and stays the authority.
 */
@FunctionalInterface
public interface SpecLookup {
    /** No lookup: a chunk whose spec has not arrived on the control topic waits for it. */
    SpecLookup NONE = migration -> null;

    /** The spec of {@code migration} if it is known here, else null. Called on stream threads. */
    SpecRecord find(String migration);
}
