package org.dbmstream.topology.processor;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dbmstream.bitmap.load.LoadEvent;
import org.dbmstream.bitmap.load.LoadOutput;
import org.dbmstream.bitmap.load.Migration;
import org.dbmstream.bitmap.load.MigrationFact;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.claim.ClaimRequest;
import org.dbmstream.topology.record.EventRecords;

/**
 * Forwards what the load side produced for one input record: events as Avro {@code Event}s, facts as
 * they are, all keyed by migration id with the input record's timestamp; an event's {@code time} field is
 * the destination's clock when it emitted the event. A completed bitmap becomes a {@link ClaimRequest} for
 * its name instead of its event and fact.
 */
final class RecordOutput implements LoadOutput {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RecordOutput.class);
    private final ProcessorContext<String, Object> context;
    private final Record<?, ?> input;
    private boolean forwarded;

    private final java.util.function.Predicate<String> replacing;

    RecordOutput(ProcessorContext<String, Object> context, Record<?, ?> input) {
        this(context, input, migration -> false);
    }

    /** @param replacing whether a migration's spec says {@code replace} (its completed bitmaps take their names) */
    RecordOutput(ProcessorContext<String, Object> context, Record<?, ?> input,
            java.util.function.Predicate<String> replacing) {
        this.context = context;
        this.input = input;
        this.replacing = replacing;
    }

    @Override
    public void event(LoadEvent event) {
        if (event instanceof LoadEvent.BitmapCompleted done) {
            // the name is claimed first; the claim's winner reports the completion (NameClaimProcessor)
            forward(event.migration(), ClaimRequest.claim(done, replacing.test(event.migration())));
            return;
        }
        if (event instanceof LoadEvent.BitmapRemoved removed) {
            // the name claim goes with it (a no-op when another migration holds it by now)
            forward(event.migration(), ClaimRequest.release(removed.names()));
        }
        if (event instanceof LoadEvent.BitmapUpdated update) {
            // a completed bitmap's change is reported after its BitmapCompleted, which the name's claim task emits: the same way keeps the order
            forward(event.migration(), ClaimRequest.update(update));
            return;
        }
        // an event's time is when the destination decided it (its own clock), not when the input was written
        forward(event.migration(), EventRecords.toAvro(event, context.currentSystemTimeMs()));
    }

    @Override
    public void ignored(Migration migration, String why) {
        LOG.warn("Record {} of migration '{}' ignored: {}", RecordCoordinates.of(context), migration.id(), why);
    }

    @Override
    public void fact(MigrationFact fact) {
        if (fact instanceof MigrationFact.BitmapDone) {
            // reported by the claim's winner
            return;
        }
        forward(fact.migration(), fact);
    }

    @Override
    public void removed(org.dbmstream.bitmap.load.BitmapNames names) {
        // to every loading partition, as the query API's DELETE: each frees the name
        forward(names.migration(), new Control.BitmapRemoval(names));
        forward(names.migration(), ClaimRequest.release(names));
    }

    @Override
    public void switchedOver(Migration migration) {
        // to every loading partition, through the control topic
        forward(migration.id(), new Control.Switchover(migration.id(), migration.target()));
    }

    void forward(String migration, Object value) {
        forwarded = true;
        context.forward(new Record<>(migration, value, input.timestamp(), input.headers()));
    }

    /** Whether anything was forwarded for this input. */
    boolean forwarded() {
        return forwarded;
    }
}
