package org.dbmstream.topology.processor;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dbmstream.bitmap.load.LoadEvent;
import org.dbmstream.bitmap.load.LoadOutput;
import org.dbmstream.bitmap.load.Migration;
import org.dbmstream.bitmap.load.MigrationFact;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.record.EventRecords;

/**
 * Forwards what the load side produced for one input record: events as Avro {@code Event}s, facts as
 * they are, all keyed by migration id with the input record's timestamp; an event's {@code time} field is
 * the destination's clock when it emitted the event.
 */
final class RecordOutput implements LoadOutput {
    private final ProcessorContext<String, Object> context;
    private final Record<?, ?> input;
    private boolean forwarded;

    RecordOutput(ProcessorContext<String, Object> context, Record<?, ?> input) {
        this.context = context;
        this.input = input;
    }

    @Override
    public void event(LoadEvent event) {
        // an event's time is when the destination decided it (its own clock), not when the input was written
        forward(event.migration(), EventRecords.toAvro(event, context.currentSystemTimeMs()));
    }

    @Override
    public void fact(MigrationFact fact) {
        forward(fact.migration(), fact);
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
