package org.dbmstream.topology.processor;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dbmstream.bitmap.load.Consequence;
import org.dbmstream.bitmap.load.LoadError;
import org.dbmstream.bitmap.load.MigrationControl;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.record.SpecRecord;

/**
 * Turns a record of the compacted {@code migrations} topic into the control record every loading
 * partition receives (the spec, or its removal on a tombstone), and asks for a commit at once: under
 * exactly-once the loading tasks only see it once this task's transaction commits, and every chunk
 * that arrives before it is parked in a store and replayed. Specs are few, so the extra commits cost
 * nothing measurable; waiting for the regular commit interval (a second) held about that long of each
 * new migration's chunks in the parked store. A spec that comes with the {@link #SOURCE_CANCEL_HEADER}
 * header (its source failed half-way) is followed by a cancel of the migration to every partition.
 */
public final class SpecBroadcastProcessor implements Processor<String, MigrationSpec, String, Control> {
    /**
     * Header of a spec record that cancels its migration: a source that failed half-way publishes its
     * spec again with the reason in this header.
     */
    public static final String SOURCE_CANCEL_HEADER = org.dbmstream.serdes.SpecHeaders.CANCEL;

    private ProcessorContext<String, Control> context;

    @Override
    public void init(ProcessorContext<String, Control> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, MigrationSpec> record) {
        String id = record.key();
        if (id == null) {
            return;
        }
        MigrationSpec spec = record.value();
        Control control = spec == null ? new Control.SpecRemoved(id) : new Control.Spec(SpecRecord.of(id, spec));
        context.forward(record.withValue(control));
        Header cancel = record.headers().lastHeader(SOURCE_CANCEL_HEADER);
        if (spec != null && cancel != null && cancel.value() != null) {
            // its source gave up on the migration: cancel it everywhere, as QEMU cancels the incoming side
            String reason = new String(cancel.value(), StandardCharsets.UTF_8);
            context.forward(record.withValue(new Control.Stop(new MigrationControl(id,
                    new LoadError(Consequence.CANCEL, reason)))));
        }
        context.commit();
    }
}
