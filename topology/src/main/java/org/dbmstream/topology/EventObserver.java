package org.dbmstream.topology;

import org.dbmstream.schemas.Event;

/**
 * Told of every event the destination emits, on the stream thread that emits it (for metrics in the same
 * process, such as the query API's replication lag). It must be quick and must not throw. Under exactly-once an
 * event of an aborted transaction is seen again when its input is processed again.
 */
@FunctionalInterface
public interface EventObserver {
    EventObserver NONE = event -> { };

    void observe(Event event);
}
