package org.dbmstream.source;

import java.util.List;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationFailed;

/**
 * How a migration ended as the destination reported it on the {@code events} topic.
 *
 * @param status   completed, cancelled, failed, or timed out (no final event in time)
 * @param terminal the final event, null when timed out
 * @param events   every event of the migration seen, in the order read
 */
public record MigrationOutcome(Status status, Event terminal, List<Event> events) {
    /** The end a migration reached. */
    public enum Status { COMPLETED, CANCELLED, FAILED, TIMED_OUT }

    public MigrationOutcome {
        events = List.copyOf(events);
    }

    /** The reason of a cancel or failure, "" when completed, a note when timed out. */
    public String reason() {
        if (terminal == null) {
            return "no final event for the migration before the timeout";
        }
        Object body = terminal.getBody();
        if (body instanceof MigrationCancelled c) {
            return c.getReason();
        }
        if (body instanceof MigrationFailed f) {
            return f.getReason();
        }
        return "";
    }

    /** The status a final event means, or null if {@code e} is not final. */
    static Status statusOf(Event e) {
        Object body = e.getBody();
        if (body instanceof org.dbmstream.schemas.MigrationCompleted) {
            return Status.COMPLETED;
        }
        if (body instanceof MigrationCancelled) {
            return Status.CANCELLED;
        }
        if (body instanceof MigrationFailed) {
            return Status.FAILED;
        }
        return null;
    }
}
